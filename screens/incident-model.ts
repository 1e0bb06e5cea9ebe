import type { IncidentState, StepState, StepStatus } from '../src/incidents/reducer.js';
import { measureIncident } from '../src/incidents/measures.js';
import type { Tone } from './theme.js';

/** A row of the runner's step list: a step, or one confirmation of the step waiting on a person. */
export type StepRow = { kind: 'step'; step: number } | { kind: 'item'; step: number; item: number; text: string; ticked: boolean };

export const stepMarks: Record<StepStatus, { mark: string; tone: Tone; word: string }> = {
  pending: { mark: '·', tone: 'muted', word: '' },
  running: { mark: '▶', tone: 'active', word: 'running' },
  waiting: { mark: '?', tone: 'warn', word: 'needs you' },
  done: { mark: '✓', tone: 'ok', word: '' },
  failed: { mark: '✗', tone: 'bad', word: 'FAILED' },
  skipped: { mark: '↷', tone: 'muted', word: 'skipped' },
  interrupted: { mark: '■', tone: 'warn', word: 'interrupted' },
};

/** Steps, with the checklist of every step waiting for confirmations unfolded beneath it. */
export function buildRows(incident: IncidentState, checklists: Record<number, string[]>): StepRow[] {
  const rows: StepRow[] = [];
  for (const step of incident.steps) {
    rows.push({ kind: 'step', step: step.index });
    const items = checklists[step.index] ?? [];
    if (step.status !== 'waiting' || items.length === 0) continue;
    const ticked = new Set(step.ticked.map((entry) => entry.item));
    items.forEach((text, item) => rows.push({ kind: 'item', step: step.index, item, text, ticked: ticked.has(item) }));
  }
  return rows;
}

/** Time a step has taken: machine plus waiting time when finished, the clock while it runs. */
export function stepDurationMs(step: StepState, now: number): number | undefined {
  if (step.status === 'running' || step.status === 'waiting') {
    return step.firstStartedAt ? now - Date.parse(step.firstStartedAt) : undefined;
  }
  if (step.status === 'pending') return undefined;
  const total = step.machineMs + step.waitingMs;
  if (total > 0) return total;
  return step.firstStartedAt && step.endedAt ? Date.parse(step.endedAt) - Date.parse(step.firstStartedAt) : undefined;
}

export interface Achieved {
  elapsedMs: number;
  rtoMs: number | undefined;
  rpoMs: number | undefined;
  /** Data-loss time (or incident start) − the restored set's time; undefined until a restore. */
  achievedRpoMs: number | undefined;
  restoredSet: string | undefined;
}

/** The header's numbers: the clock against the RTO, and the engine's RPO of the set in use. */
export function measureLive(incident: IncidentState, now: number): Achieved {
  const measures = measureIncident(incident);
  const end = measures.endedAt?.getTime() ?? now;
  return {
    elapsedMs: end - measures.startedAt.getTime(),
    rtoMs: measures.rto.objectiveMs,
    rpoMs: measures.rpo.objectiveMs,
    achievedRpoMs: measures.rpo.achievedMs,
    restoredSet: measures.rpo.set?.id,
  };
}

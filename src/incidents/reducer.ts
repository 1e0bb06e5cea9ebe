import { DrcError } from '../errors.js';
import type { IncidentStartedEvent, JournalEvent, NoteKind, RestoredSet } from './journal-schema.js';

export type StepStatus = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'skipped' | 'interrupted';

export interface StepState {
  index: number;
  title: string;
  kind: IncidentStartedEvent['steps'][number]['kind'];
  action: string | undefined;
  status: StepStatus;
  attempts: number;
  firstStartedAt: string | undefined;
  /** When the latest attempt started. */
  startedAt: string | undefined;
  endedAt: string | undefined;
  /** Time drc spent running the step's command or action, over all attempts. */
  machineMs: number;
  /** Time the step waited on a person (confirmations, reading), over all attempts. */
  waitingMs: number;
  /** The command or action has passed; only confirmations may remain. */
  actionDone: boolean;
  ticked: Array<{ item: number; text: string; at: string; by: string }>;
  error: string | undefined;
  hint: string | undefined;
  skipReason: string | undefined;
  interruptions: string[];
  outputFile: string | undefined;
  tail: string | undefined;
  detail: string | undefined;
  pid: number | undefined;
}

export interface IncidentNote {
  at: string;
  text: string;
  kind: NoteKind;
  step: number | undefined;
}

export interface IncidentState {
  id: string;
  startedAt: string;
  start: IncidentStartedEvent;
  steps: StepState[];
  notes: IncidentNote[];
  status: 'open' | 'resolved' | 'aborted';
  finishedAt: string | undefined;
  finishReason: string | undefined;
  resumedAt: string[];
  /** The data-loss time from --var lost_at or a lost-at note: where the achieved RPO starts. */
  lostAt: string | undefined;
  /** The latest set restored during the incident: where the achieved RPO ends. */
  restored: (RestoredSet & { step: number; at: string }) | undefined;
  /** The first step neither done nor skipped; undefined once all are. */
  nextStep: number | undefined;
  lastEventAt: string;
}

/**
 * The incident as a pure function of its journal: the live runner and `drc resume` both
 * derive state through this, so a replay after a crash is the same code as the live run.
 */
export function reduceIncident(events: readonly JournalEvent[]): IncidentState {
  const [first, ...rest] = events;
  if (first?.type !== 'incident-started') {
    throw new DrcError('the journal does not begin with incident-started', { hint: 'the journal is damaged; it cannot be resumed' });
  }
  let state = startIncident(first);
  for (const event of rest) state = applyEvent(state, event);
  return state;
}

export function startIncident(event: IncidentStartedEvent): IncidentState {
  const steps = event.steps.map(
    (step, index): StepState => ({
      index,
      title: step.title,
      kind: step.kind,
      action: step.action,
      status: 'pending',
      attempts: 0,
      firstStartedAt: undefined,
      startedAt: undefined,
      endedAt: undefined,
      machineMs: 0,
      waitingMs: 0,
      actionDone: false,
      ticked: [],
      error: undefined,
      hint: undefined,
      skipReason: undefined,
      interruptions: [],
      outputFile: undefined,
      tail: undefined,
      detail: undefined,
      pid: undefined,
    }),
  );
  return {
    id: event.id,
    startedAt: event.at,
    start: event,
    steps,
    notes: [],
    status: 'open',
    finishedAt: undefined,
    finishReason: undefined,
    resumedAt: [],
    lostAt: event.lostAt,
    restored: undefined,
    nextStep: steps.length ? 0 : undefined,
    lastEventAt: event.at,
  };
}

export function applyEvent(state: IncidentState, event: JournalEvent): IncidentState {
  const next: IncidentState = { ...state, steps: state.steps, lastEventAt: event.at };
  const update = (index: number, change: (step: StepState) => Partial<StepState>) => {
    const step = next.steps[index];
    if (!step) return;
    next.steps = next.steps.map((entry) => (entry.index === index ? { ...entry, ...change(entry) } : entry));
  };
  switch (event.type) {
    case 'incident-started':
      return state;
    case 'incident-resumed':
      next.resumedAt = [...state.resumedAt, event.at];
      break;
    case 'step-started':
      update(event.step, (step) => ({
        // Steps with nothing (left) to run wait on a person from the moment they start.
        status: step.actionDone || step.kind === 'manual' || step.kind === 'read-only' ? 'waiting' : 'running',
        attempts: event.attempt,
        firstStartedAt: step.firstStartedAt ?? event.at,
        startedAt: event.at,
        error: undefined,
        hint: undefined,
        pid: undefined,
      }));
      break;
    case 'process-started':
      update(event.step, () => ({ pid: event.pid }));
      break;
    case 'step-output':
      update(event.step, () => ({ outputFile: event.file, tail: event.tail }));
      break;
    case 'action-finished':
      update(event.step, (step) => ({ status: 'waiting', actionDone: true, machineMs: step.machineMs + event.machineMs, detail: event.detail, pid: undefined }));
      if (event.restored) next.restored = { ...event.restored, step: event.step, at: event.at };
      break;
    case 'checklist-ticked':
      update(event.step, (step) => ({ ticked: [...step.ticked.filter((t) => t.item !== event.item), { item: event.item, text: event.text, at: event.at, by: event.by }] }));
      break;
    case 'step-finished':
      update(event.step, (step) => ({ status: 'done', endedAt: event.at, waitingMs: step.waitingMs + event.waitingMs, pid: undefined }));
      break;
    case 'step-failed':
      update(event.step, (step) => ({
        status: 'failed',
        endedAt: event.at,
        error: event.error,
        hint: event.hint,
        machineMs: step.machineMs + event.machineMs,
        waitingMs: step.waitingMs + event.waitingMs,
        pid: undefined,
      }));
      break;
    case 'step-skipped':
      update(event.step, () => ({ status: 'skipped', endedAt: event.at, skipReason: event.reason }));
      break;
    case 'step-interrupted':
      update(event.step, (step) => ({ status: 'interrupted', interruptions: [...step.interruptions, event.reason] }));
      break;
    case 'note':
      next.notes = [...state.notes, { at: event.at, text: event.text, kind: event.kind, step: event.step }];
      if (event.kind === 'lost-at' && event.lostAt) next.lostAt = event.lostAt;
      break;
    case 'incident-finished':
      next.status = event.status;
      next.finishedAt = event.at;
      next.finishReason = event.reason;
      break;
  }
  const pending = next.steps.find((step) => step.status !== 'done' && step.status !== 'skipped');
  next.nextStep = pending?.index;
  return next;
}

/** A step that started but never ended: drc died (kill, crash, dropped session) while it ran. */
export function findStaleSteps(state: IncidentState): StepState[] {
  return state.steps.filter((step) => step.status === 'running' || step.status === 'waiting');
}

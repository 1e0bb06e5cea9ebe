import { parseDuration } from '../util/duration.js';
import type { IncidentState, StepState } from './reducer.js';

export interface Objective {
  achievedMs: number | undefined;
  objectiveMs: number | undefined;
  /** undefined when either side is unknown. */
  met: boolean | undefined;
}

export interface IncidentMeasures {
  startedAt: Date;
  endedAt: Date | undefined;
  /** RTO: incident start → the last recovery step passed (or the step the playbook names). */
  rto: Objective & { recoveredAt: Date | undefined; recoveryStep: StepState | undefined };
  /** RPO: data-loss time → the time of the set actually restored. */
  rpo: Objective & {
    lostAt: Date | undefined;
    lostAtFrom: 'given' | 'incident-start' | undefined;
    set: { id: string; time: Date; source: string } | undefined;
  };
  machineMs: number;
  waitingMs: number;
}

/**
 * The numbers a post-mortem reports, from the journal alone. Without a recorded loss time
 * the RPO is measured to the incident start: the most that can have been lost.
 */
export function measureIncident(state: IncidentState): IncidentMeasures {
  const startedAt = new Date(state.startedAt);
  const objectives = state.start.playbook.objectives;
  const recoveryStep = findRecoveryStep(state);
  const recoveredAt = recoveryStep?.endedAt ? new Date(recoveryStep.endedAt) : undefined;
  const rtoMs = recoveredAt ? recoveredAt.getTime() - startedAt.getTime() : undefined;

  const given = state.lostAt ? new Date(state.lostAt) : undefined;
  const set = state.restored ? { id: state.restored.setId, time: new Date(state.restored.setTime), source: state.restored.source } : undefined;
  const lostAt = set ? (given ?? startedAt) : given;
  const rpoMs = set && lostAt ? Math.max(0, lostAt.getTime() - set.time.getTime()) : undefined;

  return {
    startedAt,
    endedAt: state.finishedAt ? new Date(state.finishedAt) : undefined,
    rto: { ...judge(rtoMs, objectives.rto), recoveredAt, recoveryStep },
    rpo: { ...judge(rpoMs, objectives.rpo), lostAt, lostAtFrom: given ? 'given' : set ? 'incident-start' : undefined, set },
    machineMs: state.steps.reduce((sum, step) => sum + step.machineMs, 0),
    waitingMs: state.steps.reduce((sum, step) => sum + step.waitingMs, 0),
  };
}

/** The step named by the playbook's `recovered:`, else the last passed step that runs something. */
function findRecoveryStep(state: IncidentState): StepState | undefined {
  const named = state.start.playbook.recoveredStep;
  if (named !== undefined) {
    const step = state.steps[named];
    return step?.status === 'done' ? step : undefined;
  }
  return state.steps.filter((step) => step.status === 'done' && (step.kind === 'shell' || step.kind === 'action')).at(-1);
}

function judge(achievedMs: number | undefined, objective: string | undefined): Objective {
  const objectiveMs = objective ? parseDuration(objective) : undefined;
  const met = achievedMs !== undefined && objectiveMs !== undefined ? achievedMs <= objectiveMs : undefined;
  return { achievedMs, objectiveMs, met };
}

import type { Config } from '../config/schema.js';
import { DrcError, errorMessage } from '../errors.js';
import { formatDuration } from '../util/duration.js';
import type { Emit } from '../events.js';
import type { AppliedAction } from './calcom/apply.js';
import { ServiceCallError } from './http.js';
import { loadMirror, saveMirror } from './mirror.js';
import type { RoutedBindingSink } from './retell/apply.js';
import type { RetellPlanOptions } from './retell/plan.js';
import { loadRouteState, saveRouteState } from './retell/route-state.js';
import { describePlan, pendingActions, type ServicePlan } from './plan.js';
import { countSnapshot, openSyncService, type ServiceSnapshot } from './service.js';
import type { ClientTuning, ServiceSourceConfig } from './service-key.js';
import { loadSnapshotFromSet } from './snapshot-from-set.js';

/**
 * What the sync command and the playbook actions call: pull a snapshot into the mirror, push
 * a snapshot back (plan, optionally apply), and check that a service's API answers.
 */
export function findServiceSource(config: Config, sourceName: string): ServiceSourceConfig {
  const source = config.sources.find((entry) => entry.name === sourceName);
  const services = config.sources.filter((entry) => entry.type === 'calcom' || entry.type === 'retell').map((entry) => entry.name);
  if (!source || (source.type !== 'calcom' && source.type !== 'retell')) {
    throw new DrcError(
      source ? `source ${sourceName} is of type ${source.type}; sync works on calcom and retell sources` : `no source named "${sourceName}" in the config`,
      { hint: services.length > 0 ? `configured service sources: ${services.join(', ')}` : 'add a source of type "calcom" or "retell" to the config' },
    );
  }
  return source;
}

export interface PullResult {
  file: string;
  takenAt: string;
  counts: Record<string, number>;
}

/** The client reports its waits (rate limit, budget, backoff) as log lines, so a 60 s block is not silence. */
export function reportingWaits(emit: Emit, sourceName: string, tuning: ClientTuning = {}): ClientTuning {
  return {
    onWait: (wait) =>
      emit({
        type: 'log',
        level: wait.reason === 'budget' ? 'info' : 'warn',
        message: `${sourceName}: ${wait.reason === 'rate-limited' ? 'rate limited' : wait.reason === 'budget' ? 'pacing requests' : 'retrying'}: waiting ${formatDuration(wait.waitMs)} (${wait.basis}) before ${wait.what}`,
      }),
    ...tuning,
  };
}

export async function syncPull(config: Config, stateDir: string, sourceName: string, emit: Emit, tuning: ClientTuning = {}): Promise<PullResult> {
  const source = findServiceSource(config, sourceName);
  tuning = reportingWaits(emit, sourceName, tuning);
  const started = Date.now();
  emit({ type: 'task-started', task: sourceName, phase: 'pull', detail: `snapshot of ${source.type}` });
  try {
    const snapshot = await openSyncService(source, tuning).snapshot((message) => emit({ type: 'log', level: 'warn', message: `${sourceName}: ${message}` }));
    const file = await saveMirror(stateDir, snapshot);
    const counts = countSnapshot(snapshot);
    emit({ type: 'task-finished', task: sourceName, phase: 'pull', ok: true, elapsedMs: Date.now() - started });
    return { file, takenAt: snapshot.takenAt, counts };
  } catch (error) {
    emit({ type: 'task-finished', task: sourceName, phase: 'pull', ok: false, detail: errorMessage(error), elapsedMs: Date.now() - started });
    throw error;
  }
}

export interface PushResult {
  plan: ServicePlan;
  /** Empty unless applied. */
  applied: AppliedAction[];
  /** When the pushed snapshot was taken. */
  snapshotTakenAt: string;
}

/** `from`: "mirror" or a backup set reference ("latest", a set id). */
export async function syncPush(
  config: Config,
  stateDir: string,
  sourceName: string,
  from: string,
  apply: boolean,
  emit: Emit,
  tuning: ClientTuning = {},
): Promise<PushResult> {
  const source = findServiceSource(config, sourceName);
  tuning = reportingWaits(emit, sourceName, tuning);
  const snapshot: ServiceSnapshot =
    from === 'mirror' ? await loadMirror(stateDir, sourceName, source.type) : await loadSnapshotFromSet({ config, stateDir }, from, sourceName);
  const routes = source.type === 'retell' ? await routedNumbers(stateDir, source.name) : {};
  const { plan, apply: carryOut } = await openSyncService(source, tuning).plan(snapshot, routes);
  for (const line of describePlan(plan)) emit({ type: 'log', level: 'info', message: line });
  const manual = plan.actions.filter((action) => action.action === 'manual');
  for (const action of manual) emit({ type: 'log', level: 'warn', message: `${sourceName}: ${action.resource} ${action.key}: ${action.changes.join('; ')}` });
  if (!apply || pendingActions(plan).length === 0) return { plan, applied: [], snapshotTakenAt: snapshot.takenAt };
  const started = Date.now();
  emit({ type: 'task-started', task: sourceName, phase: 'push', detail: `${pendingActions(plan).length} changes` });
  try {
    const applied = await carryOut(emit);
    emit({ type: 'task-finished', task: sourceName, phase: 'push', ok: true, detail: `${applied.length} changes made`, elapsedMs: Date.now() - started });
    return { plan, applied, snapshotTakenAt: snapshot.takenAt };
  } catch (error) {
    emit({ type: 'task-finished', task: sourceName, phase: 'push', ok: false, detail: errorMessage(error), elapsedMs: Date.now() - started });
    throw error;
  }
}

/**
 * Numbers retell-route pointed at a backup keep it through a push; the push changes what they go
 * back to (the route record), so routing back binds the rebuilt agents.
 */
async function routedNumbers(stateDir: string, sourceName: string): Promise<RetellPlanOptions & { onRouted: RoutedBindingSink }> {
  const state = await loadRouteState(stateDir, sourceName);
  const routed = new Map(
    Object.entries(state.numbers).map(([number, record]) => [
      number,
      {
        inbound: (record.inbound_agents ?? []).map((share) => ({ agent: share.agent_name ?? share.agent_id, weight: share.weight, ...(share.agent_version !== undefined && share.agent_version !== null ? { version: share.agent_version } : {}) })),
        fallback: record.fallback_number,
      },
    ]),
  );
  return {
    routed,
    onRouted: async (number, inbound, fallback) => {
      const current = await loadRouteState(stateDir, sourceName);
      const record = current.numbers[number];
      if (!record) return;
      record.inbound_agents = inbound;
      record.fallback_number = fallback;
      await saveRouteState(stateDir, sourceName, current);
    },
  };
}

/**
 * How a service's API looks from here: "up" (answers and accepts our key), "down" (no answer,
 * or 5xx: an outage), "refused" (answers but turns us away: a rejected key, our rate limit,
 * a 4xx; not an outage, and waiting will not fix it).
 */
export type ServiceApiState = 'up' | 'down' | 'refused';

/**
 * For playbook checks that confirm an outage or wait for a service to come back: fast, few
 * retries. Anything that is not the service's answer (no such source, no API key) throws.
 */
export async function probeServiceApi(config: Config, sourceName: string, tuning: ClientTuning = {}): Promise<{ state: ServiceApiState; detail: string }> {
  const source = findServiceSource(config, sourceName);
  try {
    const detail = await openSyncService(source, { timeoutMs: 10_000, retries: 1, ...tuning }).probe();
    return { state: 'up', detail };
  } catch (error) {
    if (!(error instanceof ServiceCallError)) throw error;
    const down = error.status === undefined || error.status >= 500;
    return { state: down ? 'down' : 'refused', detail: error.message };
  }
}

export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([key, value]) => `${value} ${key}`)
    .join(', ');
}

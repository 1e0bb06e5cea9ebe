import { DrcError } from '../../errors.js';
import { describeCounts, probeServiceApi, syncPull, syncPush, type ServiceApiState } from '../../services/actions.js';
import { pendingActions } from '../../services/plan.js';
import type { SyncAction } from '../schema.js';
import type { ActionContext, ActionResult } from './types.js';

/** `action: sync`: pull the service's state into the mirror, or push a snapshot back (plan, optionally apply). */
export async function runSyncAction(sync: SyncAction, context: ActionContext): Promise<ActionResult> {
  const config = requireConfig(context, 'sync');
  if (sync.direction === 'pull') {
    const result = await syncPull(config, context.stateDir, sync.source, context.emit, { signal: context.signal });
    return { detail: `pulled ${describeCounts(result.counts)}` };
  }
  const result = await syncPush(config, context.stateDir, sync.source, sync.from, sync.apply, context.emit, { signal: context.signal });
  const changes = pendingActions(result.plan).length;
  return {
    detail: sync.apply ? `${result.applied.length} changes made from the snapshot of ${result.snapshotTakenAt}` : `${changes} planned changes (apply: false, nothing changed)`,
  };
}

export async function probeService(context: ActionContext, sourceName: string): Promise<{ state: ServiceApiState; detail: string }> {
  return probeServiceApi(requireConfig(context, 'calcom-api/retell-api check'), sourceName);
}

function requireConfig(context: ActionContext, what: string) {
  if (!context.config) throw new DrcError(`${what} needs a config naming the service`, { hint: 'pass --config PATH' });
  return context.config;
}

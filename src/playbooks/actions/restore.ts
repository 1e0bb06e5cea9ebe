import { DrcError, EXIT } from '../../errors.js';
import { runRestore } from '../../restore/run-restore.js';
import type { RestoreAction } from '../schema.js';
import type { ActionContext, ActionResult } from './types.js';

/**
 * `action: restore`: one source from a set, never risking live data (scratch copy, checks,
 * swap). Running the step is the confirmation. The restored set's time is the end of the
 * incident's achieved RPO.
 */
export async function runRestoreAction(restore: RestoreAction, context: ActionContext): Promise<ActionResult> {
  if (!context.config) throw new DrcError('the restore action needs a config', { hint: 'pass --config PATH' });
  const outcome = await runRestore({
    config: context.config,
    stateDir: context.stateDir,
    set: restore.set,
    source: restore.source,
    into: restore.into,
    table: restore.table,
    yes: true,
    emit: context.emit,
    signal: context.signal,
  });
  if (outcome.exitCode === EXIT.critical || !outcome.setTime) {
    throw new DrcError(`restore of ${restore.source} failed: ${outcome.error ?? 'see the output above'}`, {
      hint: 'nothing live was changed; fix the cause and retry the step, or pick an older set',
    });
  }
  return {
    detail: `${restore.source} from set ${outcome.setId} into ${outcome.restoredInto ?? restore.source}${outcome.keptAs ? `, previous data kept as ${outcome.keptAs}` : ''}`,
    restored: { source: restore.source, setId: outcome.setId, setTime: outcome.setTime },
  };
}

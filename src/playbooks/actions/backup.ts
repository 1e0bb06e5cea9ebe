import { runBackup } from '../../backup/run-backup.js';
import { DrcError } from '../../errors.js';
import type { BackupAction } from '../schema.js';
import type { ActionContext, ActionResult } from './types.js';

/** `action: backup`: a set of the named sources (default all), e.g. of the broken state before a restore. */
export async function runBackupAction(backup: BackupAction, context: ActionContext): Promise<ActionResult> {
  if (!context.config) throw new DrcError('the backup action needs a config', { hint: 'pass --config PATH' });
  const outcome = await runBackup({
    config: context.config,
    stateDir: context.stateDir,
    ...(backup.sources ? { sources: backup.sources } : {}),
    ...(backup.targets ? { targets: backup.targets } : {}),
    emit: context.emit,
    signal: context.signal,
  });
  if (outcome.status === 'failed' || !outcome.setId) {
    throw new DrcError(`backup failed: ${outcome.failedSources.map((f) => `${f.source}: ${f.error}`).join('; ') || 'no set was written'}`, {
      hint: 'the output above says which source or target failed',
    });
  }
  if (outcome.status === 'partial') {
    throw new DrcError(`backup set ${outcome.setId} is partial: ${outcome.failedSources.map((f) => f.source).join(', ')} failed`, {
      hint: 'retry the step, or skip it with a reason if the failed sources do not matter for this incident',
    });
  }
  return { detail: `set ${outcome.setId}` };
}

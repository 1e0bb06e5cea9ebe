import { setTimeout as sleep } from 'node:timers/promises';
import { DrcError, EXIT } from '../../errors.js';
import { runRestore, type RestoreOutcome } from '../../restore/run-restore.js';
import type { RestoreAction } from '../schema.js';
import type { ActionContext, ActionResult } from './types.js';

/**
 * `action: restore`: one source from a set, never risking live data (scratch copy, checks,
 * swap). Running the step is the confirmation. The restored set's time is the end of the
 * incident's achieved RPO.
 */
export async function runRestoreAction(restore: RestoreAction, context: ActionContext): Promise<ActionResult> {
  if (!context.config) throw new DrcError('the restore action needs a config', { hint: 'pass --config PATH' });
  const config = context.config;
  let previousStart = 0;
  const restoreOne = async (set: string, table: string | undefined) => {
    // The kept copy is named after the second a restore starts (`<db>_before_<time>`): the
    // next table waits for a new second rather than collide with the copy just made.
    const nextSecond = Math.floor(previousStart / 1000) * 1000 + 1000;
    if (Date.now() < nextSecond) await sleep(nextSecond - Date.now(), undefined, { signal: context.signal });
    const started = new Date();
    previousStart = started.getTime();
    return runRestore({
      config,
      stateDir: context.stateDir,
      set,
      source: restore.source,
      into: restore.into,
      table,
      yes: true,
      emit: context.emit,
      signal: context.signal,
      now: () => started,
    });
  };
  const tables = restore.table ?? [undefined];
  const details: string[] = [];
  let set = restore.set;
  let last: RestoreOutcome | undefined;
  for (const [index, table] of tables.entries()) {
    const outcome = await restoreOne(set, table);
    if (outcome.exitCode === EXIT.critical || !outcome.setTime) {
      const done = tables.slice(0, index);
      throw new DrcError(`restore of ${restore.source}${table ? ` table ${table}` : ''} failed: ${outcome.error ?? 'see the output above'}`, {
        hint: done.length
          ? `${done.join(', ')} already restored from set ${set}; the rest was not changed: fix the cause and retry the step`
          : 'nothing live was changed; fix the cause and retry the step, or pick an older set',
      });
    }
    // Every table comes from the set the first one came from, even if a backup lands meanwhile.
    set = outcome.setId;
    last = outcome;
    details.push(table ? `${table}${outcome.keptAs ? ` (previous rows kept in ${outcome.keptAs})` : ''}` : `into ${outcome.restoredInto ?? restore.source}${outcome.keptAs ? `, previous data kept as ${outcome.keptAs}` : ''}`);
  }
  const what = restore.table ? `table${tables.length > 1 ? 's' : ''} ${details.join(', ')}` : details[0]!;
  return {
    detail: `${restore.source} from set ${last!.setId} ${what}`,
    restored: { source: restore.source, setId: last!.setId, setTime: last!.setTime },
  };
}

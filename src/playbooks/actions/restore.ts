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
  if (restore.all) return runRestoreAllAction(restore, context);
  if (!context.config) throw new DrcError('the restore action needs a config', { hint: 'pass --config PATH' });
  const config = context.config;
  const sourceName = restore.source!;
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
      source: sourceName,
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
    restored: { source: sourceName, setId: last!.setId, setTime: last!.setTime },
  };
}

/**
 * `action: restore` with `all: true`: the whole server (restore --all). On a new machine the
 * config is written by an earlier step of the same incident (`drc init --from`), so when the
 * incident started without one it is loaded now, from DRC_CONFIG or the conf store.
 */
async function runRestoreAllAction(restore: RestoreAction, context: ActionContext): Promise<ActionResult> {
  const loaded = context.config ? undefined : await (await import('../../config/load.js')).loadConfig();
  const config = context.config ?? loaded!.config;
  const { restoreAll } = await import('../../restore/restore-all.js');
  const outcome = await restoreAll({ config, stateDir: loaded?.stateDir ?? context.stateDir, set: restore.set, root: restore.root, yes: true, emit: context.emit, signal: context.signal });
  if (outcome.exitCode === EXIT.critical) {
    const failed = outcome.items.filter((item) => item.status === 'failed');
    throw new DrcError(`restore --all from set ${outcome.setId}: ${failed.map((item) => `${item.source} (${item.detail ?? 'failed'})`).join('; ')}`, {
      hint: 'the other items are restored; fix the cause and retry the step (restored databases are restored again with the usual swap)',
    });
  }
  const restored = outcome.items.filter((item) => item.status === 'restored').map((item) => item.source);
  const manual = outcome.items.filter((item) => item.status === 'planned-only').map((item) => item.source);
  return {
    detail: `${restored.length} item(s) from set ${outcome.setId}: ${restored.join(', ')}${manual.length ? `; push plans for ${manual.join(', ')} need a person` : ''}`,
    restored: { source: 'all', setId: outcome.setId, setTime: outcome.setTime },
  };
}

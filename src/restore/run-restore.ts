import type { Config } from '../config/schema.js';
import { DrcError, EXIT, errorMessage, type ExitCode } from '../errors.js';
import type { Emit } from '../events.js';
import { loadSetTrust } from '../sets/sealed-manifest.js';
import { appendHistory } from '../state/history.js';
import { acquireLock, type Lock } from '../state/lock.js';
import { holdSetForReading } from '../state/set-readers.js';
import { openTargets } from '../storage/open-targets.js';
import { formatDuration } from '../util/duration.js';
import { loadDecryptionKeys } from './decrypt.js';
import { createEngine, findSourceConfig } from './engines.js';
import { planFilesRestore, restoreFiles } from './files-restore.js';
import { checkCanDecrypt } from './item-reader.js';
import { derivedDatabaseName } from './names.js';
import { findItem, resolveSet, type ResolvedSet } from './resolve-set.js';
import { loadAndCheck } from './scratch.js';
import { settleJournal } from './recover-restore.js';
import { openRestoreJournal, readRestoreJournals, type RestoreJournal } from './restore-journal.js';
import path from 'node:path';
import { planPointInTime, type PointInTimePlan } from './point-in-time.js';
import type { DatabaseEngine } from './engine.js';

export interface RestoreOptions {
  config: Config;
  stateDir: string;
  /** 'latest' or a set id. */
  set: string;
  source: string;
  /** Database (or folder, for files) to restore into, with no swap. */
  into?: string | undefined;
  /** Only this table; every other table is left untouched. */
  table?: string | undefined;
  /** Only this target's copy (default: every target, in config order). */
  target?: string | undefined;
  /** Private key file for sets encrypted only to recipients (default: $DRC_PRIVATE_KEY_FILE). */
  keyFile?: string | undefined;
  /** Point in time (parsed --at): the data as of this instant, from a backup and the log archive. */
  at?: Date | undefined;
  /** MySQL/MariaDB point in time (--before FILE:POS): replay up to just before this binlog event. */
  before?: string | undefined;
  /** PostgreSQL pitr: recover the whole cluster into this empty folder (a rebuilt server) instead. */
  dataDir?: string | undefined;
  /** Go ahead without asking. */
  yes: boolean;
  /** --allow-unsigned: a legacy set without a seal may be restored (loudly). */
  allowUnsigned?: boolean | undefined;
  emit: Emit;
  signal?: AbortSignal | undefined;
  /** Asks a person; resolves true to go ahead. Without it (headless) `yes` is required. */
  confirm?: ((plan: string) => Promise<boolean>) | undefined;
  now?: () => Date;
}

export interface RestoreOutcome {
  exitCode: ExitCode;
  setId: string;
  /** When the restored set was taken (ISO); the playbook's RPO is measured against it. */
  setTime: string;
  /** The database or folder(s) now holding the restored data. */
  restoredInto?: string;
  /** What the old data was renamed to (database, schema or table copy), until someone drops it. */
  keptAs?: string;
  durationMs: number;
  error?: string;
}

/**
 * Restores one source from a set without ever risking the live data: a database is loaded into
 * `<db>_restore_<time>`, checked (row counts, smoke checks), and only then swapped in, the old
 * one kept as `<db>_before_<time>`. Any failure before the swap leaves live untouched and the
 * scratch database dropped.
 */
export async function runRestore(options: RestoreOptions): Promise<RestoreOutcome> {
  const { config, emit } = options;
  const started = (options.now ?? (() => new Date()))();
  const outcome: RestoreOutcome = { exitCode: EXIT.critical, setId: options.set, setTime: '', durationMs: 0 };
  const locks: Lock[] = [];
  try {
    const source = findSourceConfig(config.sources, options.source);
    locks.push(await acquireLock(options.stateDir, `restore-${source.name}`, `drc restore --source ${source.name}`));
    if (source.type === 'calcom' || source.type === 'retell') {
      throw new DrcError(`source ${source.name} is a ${source.type} snapshot; it is pushed back with sync, not restored`, {
        hint: `drc sync push ${source.name} --from SET`,
      });
    }
    const targets = await openTargets(config, options.target ? [options.target] : undefined);
    const trust = await loadSetTrust(config, options.stateDir, { allowUnsealed: options.allowUnsigned });
    const pointInTime = options.at !== undefined || options.before !== undefined || options.dataDir !== undefined;
    let pitr: PointInTimePlan | undefined;
    const held = await holdSetForReading(
      options.stateDir,
      `drc restore --source ${source.name}`,
      async () => {
        if (!pointInTime) return resolveSet(targets, options.set, { trust, source: source.name, emit });
        pitr = await planPointInTime({ config, source, targets, trust, set: options.set, at: options.at, before: options.before, now: started, keyFile: options.keyFile, emit, signal: options.signal });
        return pitr.resolved;
      },
      emit,
    );
    locks.push(held.lock);
    const resolved = held.resolved;
    // A point-in-time restore's data is as of its stop point: that is what its RPO is measured against.
    Object.assign(outcome, { setId: resolved.id, setTime: (pitr?.dataAsOf ?? options.at ?? resolved.time).toISOString() });
    const item = pitr?.item ?? findItem(resolved, source.name);
    const keys = await loadDecryptionKeys(config.encryption, resolved.manifest, options.keyFile);
    await checkCanDecrypt(resolved.copies[0]!.target, resolved.id, item, keys);
    if (pitr && options.table && source.type === 'postgres') throw new DrcError('--table with --at is not supported for PostgreSQL yet: restore the database --at TIME --into a new name and copy the table from there');
    if (options.dataDir) {
      if (!pitr?.recoverInto) throw new DrcError(`--data-dir recovers a whole PostgreSQL cluster; source ${source.name} is not a PostgreSQL pitr source`);
      await confirmOrRefuse(options, describePlan(resolved, source.name, started, [...pitr.describe, `the whole cluster into ${options.dataDir} (must be empty); the live server is not touched`]));
      for (const note of await pitr.recoverInto(options.dataDir, keys)) emit({ type: 'log', level: 'info', message: note });
      outcome.restoredInto = options.dataDir;
      outcome.exitCode = EXIT.ok;
      return outcome;
    }

    if (source.type === 'files') {
      const plan = planFilesRestore(item, started, options.into);
      await confirmOrRefuse(options, describePlan(resolved, source.name, started, plan.map((entry) => `${entry.from} → ${entry.to} (originals untouched)`)));
      const done = await restoreFiles({ resolved, item, keys, emit, time: started, into: options.into, signal: options.signal });
      outcome.restoredInto = done.restoredInto.join(', ');
      outcome.exitCode = EXIT.ok;
      return outcome;
    }
    const loadInto = async (engine: DatabaseEngine, database: string, table: string | undefined, journal?: RestoreJournal): Promise<string[]> => {
      if (!pitr) return (await loadAndCheck({ engine, resolved, item, keys, emit, database, table, smokeChecks: source.checks, task: source.name, phase: 'restore', signal: options.signal, journal })).problems;
      await journal?.step('create-scratch');
      return (await pitr.load({ engine, keys, database, table, smokeChecks: source.checks })).problems;
    };
    const engine = await createEngine(source);
    try {
      const table = options.table ? engine.manifestTableName(options.table, (item.tables ?? []).map((entry) => entry.name)) : undefined;
      if (options.table && !table) {
        throw new DrcError(`set ${resolved.id}: ${source.name} has no table "${options.table}"`, {
          hint: `tables in the set: ${(item.tables ?? []).map((entry) => entry.name).join(', ')}`,
        });
      }
      if (table && options.into) throw new DrcError('--table replaces one table in the live database; --into restores a whole copy elsewhere: use one of them');
      const live = engine.database;
      if (options.into) {
        if ((await engine.exists(options.into)) && !(await engine.isEmpty(options.into))) {
          throw new DrcError(`database "${options.into}" exists and is not empty; refusing to restore into it`, { hint: 'pick a new name for --into' });
        }
        await confirmOrRefuse(options, describePlan(resolved, source.name, started, [...(pitr?.describe ?? []), `${engine.kind} database "${options.into}" (new; "${live}" is not touched)`]));
        const problems = await loadInto(engine, options.into, undefined);
        if (problems.length) throw new DrcError(`restored copy in "${options.into}" failed its checks: ${problems.join('; ')}`);
        outcome.restoredInto = options.into;
        outcome.exitCode = EXIT.ok;
        return outcome;
      }
      const scratch = derivedDatabaseName(live, 'restore', started);
      const before = derivedDatabaseName(live, 'before', started);
      const swap = table
        ? `table ${table} of "${live}" replaced (its current rows kept in ${before}); every other table untouched`
        : `"${live}" renamed to "${before}" (kept), the verified copy renamed to "${live}"${engine.kind === 'PostgreSQL' ? '; sessions on the live database are ended' : ''}`;
      await confirmOrRefuse(options, describePlan(resolved, source.name, started, [...(pitr?.describe ?? []), `${engine.kind}: load into new database "${scratch}"${pitr ? ', bring it to the point in time' : ''}, check row counts${table ? '' : ' and smoke checks'}`, `then: ${swap}`]));
      const journal = await openRestoreJournal(options.stateDir, { kind: 'restore', engine: engine.kind, source: source.name, live, scratch, before });
      try {
        let problems: string[];
        try {
          problems = await loadInto(engine, scratch, table, journal);
        } catch (error) {
          await engine.drop(scratch).catch(() => {});
          throw error;
        }
        if (problems.length) {
          await engine.drop(scratch).catch(() => {});
          throw new DrcError(`restored copy failed its checks: ${problems.join('; ')}`, { hint: `the live database "${live}" was not touched; the scratch copy was dropped` });
        }
        // A stop that arrived while the copy was being checked must not be followed by the swap.
        if (options.signal?.aborted) {
          await engine.drop(scratch).catch(() => {});
          throw new DrcError(`restore stopped (${errorMessage(options.signal.reason)}) before the swap`, { hint: `the live database "${live}" was not touched; the scratch copy was dropped` });
        }
        let notes: string[];
        try {
          notes = table ? await engine.swapTable(scratch, before, table, journal) : await engine.swapDatabase(scratch, before, journal);
          await journal.step('done');
        } finally {
          // After a whole-database swap the name is gone; after a table swap or a refused swap it is debris.
          // A lost connection here must not turn a done swap into a reported failure.
          if (table || (await engine.exists(scratch).catch(() => true))) await engine.drop(scratch).catch(() => {});
        }
        for (const note of notes) emit({ type: 'log', level: 'info', message: note });
        emit({ type: 'log', level: 'info', message: `the previous data is kept as ${table ? `${before}.${table.slice(table.indexOf('.') + 1)}` : `"${before}"`}; drop it once you are sure: ${engine.dropHint(before, table)}` });
        outcome.restoredInto = live;
        outcome.keptAs = before;
        outcome.exitCode = EXIT.ok;
        await journal.close();
        return outcome;
      } catch (error) {
        await settleAfterFailure(config, journal, emit);
        throw error;
      }
    } finally {
      await engine.close();
    }
  } catch (error) {
    outcome.error = errorMessage(error);
    emit({ type: 'log', level: 'error', message: errorMessage(error), ...(error instanceof DrcError && error.hint ? { hint: error.hint } : {}) });
    outcome.exitCode = error instanceof DrcError ? error.exitCode : EXIT.critical;
    return outcome;
  } finally {
    for (const lock of locks) await lock.release();
    outcome.durationMs = Date.now() - started.getTime();
    await appendHistory(options.stateDir, {
      kind: 'restore',
      at: new Date().toISOString(),
      source: options.source,
      setId: outcome.setId,
      ...(options.into ? { into: options.into } : {}),
      ...(options.table ? { table: options.table } : {}),
      ok: outcome.exitCode === EXIT.ok,
      durationMs: outcome.durationMs,
      ...(outcome.error ? { error: outcome.error } : {}),
    }).catch(() => {});
    emit({
      type: 'result',
      command: 'restore',
      exitCode: outcome.exitCode,
      summary:
        outcome.exitCode === EXIT.ok
          ? `restore OK: ${options.source} from set ${outcome.setId} into ${outcome.restoredInto} in ${formatDuration(outcome.durationMs)}${outcome.keptAs ? `; previous data kept as ${outcome.keptAs}` : ''}`
          : `restore FAILED: ${options.source}${outcome.error ? ` (${outcome.error})` : ''}; nothing live was changed`,
      data: { ...outcome },
    });
  }
}

/**
 * A failed restore settles its own journal the way the next drc command would, so whatever the
 * failure interrupted (a swap half-way, a scratch copy) is finished or undone now. If even that
 * fails, the journal stays for the next command and `drc status` reports it.
 */
async function settleAfterFailure(config: Config, journal: RestoreJournal, emit: Emit): Promise<void> {
  const mine = (await readRestoreJournals(path.dirname(path.dirname(journal.file)))).find((entry) => entry.file === journal.file);
  if (!mine) return;
  try {
    const plan = await settleJournal(config, mine);
    if (plan.actions.length) emit({ type: 'log', level: 'warn', message: plan.summary.replace(/^interrupted/, 'failed') });
    await journal.close();
  } catch (error) {
    emit({ type: 'log', level: 'error', message: `could not settle the failed restore (${errorMessage(error)})`, hint: 'run: drc restore --recover' });
  }
}

function describePlan(resolved: ResolvedSet, source: string, now: Date, steps: string[]): string {
  const age = formatDuration(now.getTime() - resolved.time.getTime());
  return [
    `restore ${source} from set ${resolved.id} (taken ${age} ago, ${resolved.manifest.status}, copies on ${resolved.copies.map((copy) => copy.target.name).join(', ')})`,
    ...steps.map((step) => `  - ${step}`),
  ].join('\n');
}

async function confirmOrRefuse(options: RestoreOptions, plan: string): Promise<void> {
  options.emit({ type: 'log', level: 'info', message: plan });
  if (options.yes) return;
  if (!options.confirm) {
    throw new DrcError('restore needs confirmation: no terminal to ask at', { hint: 'pass --yes to restore without asking (cron, scripts, playbooks)' });
  }
  if (!(await options.confirm(plan))) throw new DrcError('restore cancelled; nothing was changed');
}

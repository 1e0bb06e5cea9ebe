import { throttledProgress, type Emit } from '../events.js';
import type { ManifestItem } from '../sets/manifest.js';
import { compareRowCounts, type SmokeCheck } from './db-checks.js';
import type { DecryptionKeys } from './decrypt.js';
import type { DatabaseEngine } from './engine.js';
import { noJournal, type RestoreJournal } from './restore-journal.js';
import { withGoodCopy } from './good-copy.js';
import type { ResolvedSet, SetCopy } from './resolve-set.js';

export interface LoadAndCheckOptions {
  engine: DatabaseEngine;
  resolved: ResolvedSet;
  item: ManifestItem;
  keys: DecryptionKeys;
  emit: Emit;
  /** A database that does not exist yet (or is empty, for --into). */
  database: string;
  /** Only this table (manifest name); MySQL loads just its part of the dump. */
  table?: string | undefined;
  smokeChecks?: SmokeCheck[] | undefined;
  /** Also re-hash the plain dump against the manifest (verify --deep); slower, it passes through Node. */
  checkPlain?: boolean | undefined;
  /** The task name progress is reported under. */
  task: string;
  phase: string;
  signal?: AbortSignal | undefined;
  /** Where creating the database is announced first, so a killed run's scratch copy is found and dropped. */
  journal?: RestoreJournal | undefined;
}

export interface LoadAndCheckResult {
  copy: SetCopy;
  /** Empty when the row counts and smoke checks all passed. */
  problems: string[];
  tablesChecked: number;
}

/**
 * Loads an item into a database that nothing else uses and checks it: row counts against the
 * manifest, then the source's smoke checks. A damaged copy makes it start over from the next
 * target's copy. On a thrown error the database is dropped; on failed checks the caller decides.
 */
export async function loadAndCheck(options: LoadAndCheckOptions): Promise<LoadAndCheckResult> {
  const { engine, item, emit, database } = options;
  const created = !(await engine.exists(database));
  if (created) {
    await (options.journal ?? noJournal).step('create-scratch');
    await engine.create(database);
  }
  const started = Date.now();
  emit({ type: 'task-started', task: options.task, phase: options.phase, detail: `${item.file} → ${engine.kind} database "${database}"`, totalBytes: item.storedBytes });
  const progress = throttledProgress(emit, options.task, options.phase, 250, item.storedBytes);
  try {
    const { copy } = await withGoodCopy({
      resolved: options.resolved,
      item,
      keys: options.keys,
      emit,
      onProgress: (bytes) => progress(bytes),
      ...(options.signal ? { signal: options.signal } : {}),
      forTool: !options.checkPlain,
      attempt: (input) => engine.load(database, input, engine.kind === 'MySQL/MariaDB' ? options.table : undefined),
      undo: async () => {
        await engine.drop(database);
        await engine.create(database);
      },
    });
    progress(item.storedBytes, true);
    const counts = await engine.countRows(database);
    const problems = compareRowCounts(item, counts, options.table);
    if (!options.table && options.smokeChecks?.length) problems.push(...(await engine.runSmokeChecks(database, options.smokeChecks)));
    const tablesChecked = (item.tables ?? []).filter((table) => !options.table || table.name === options.table).length;
    emit({
      type: 'task-finished',
      task: options.task,
      phase: options.phase,
      ok: problems.length === 0,
      bytes: item.storedBytes,
      elapsedMs: Date.now() - started,
      detail: problems.length ? problems.join('; ') : `${tablesChecked} table row count(s) match the manifest${!options.table && options.smokeChecks?.length ? `, ${options.smokeChecks.length} smoke check(s) passed` : ''}`,
    });
    return { copy, problems, tablesChecked };
  } catch (error) {
    emit({ type: 'task-finished', task: options.task, phase: options.phase, ok: false, elapsedMs: Date.now() - started, detail: (error as Error).message });
    if (created) await engine.drop(database).catch(() => {});
    throw error;
  }
}

/**
 * Drops a drill's or deep verification's scratch database and closes the engine; the journal
 * is closed only once the drop went through, so a scratch copy that could not be dropped now is
 * dropped by the next drc command.
 */
export async function dropScratch(engine: DatabaseEngine, scratch: string, journal: RestoreJournal): Promise<void> {
  try {
    await engine.drop(scratch);
    await journal.close();
  } catch {
    // left in the journal for the next command
  } finally {
    await engine.close();
  }
}

import { spawn } from 'node:child_process';
import type { PostgresSourceConfig } from '../../config/schema.js';
import { DrcError, EXIT } from '../../errors.js';
import type { Emit } from '../../events.js';
import { compareRowCounts, type SmokeCheck } from '../../restore/db-checks.js';
import type { DecryptionKeys } from '../../restore/decrypt.js';
import type { DatabaseEngine } from '../../restore/engine.js';
import { feedTool } from '../../restore/feed-tool.js';
import { withGoodCopy } from '../../restore/good-copy.js';
import { loadAllCatalogs, resolveSet, type ResolvedSet } from '../../restore/resolve-set.js';
import type { PlainInput } from '../../restore/tool-input.js';
import type { ManifestItem } from '../../sets/manifest.js';
import type { SetTrust } from '../../sets/sealed-manifest.js';
import { connectPostgres, countPostgresRows, listPostgresTables } from '../../sources/postgres.js';
import { findPostgresTool, stderrTail } from '../../sources/tools.js';
import type { Target } from '../../storage/types.js';
import { withRecoveredInstance, type RecoveredInstance } from './recovery-instance.js';
import { listBaseBackups, type FoundBaseBackup } from './schedule.js';
import type { WalSupply } from './wal-server.js';

/** What a caller needs to know about the archived WAL to recover to a time. */
export interface WalArchiveView {
  supply: WalSupply;
  /**
   * Refuses (exit 2) when the WAL from `base` to `at` is not all archived: a gap, or `at` past
   * the newest archived segment. Names the range that can be reached. Callers check before recovering.
   */
  checkReachable(base: FoundBaseBackup, at: Date | undefined): Promise<void>;
}

export interface PostgresPointInTime {
  resolved: ResolvedSet;
  /** The base-backup item recovery starts from. */
  item: ManifestItem;
  base: FoundBaseBackup;
}

/**
 * The base backup to recover `at` from: in set `setRef`, or with "latest" the newest whose
 * backup had finished by `at` (recovery cannot stop before a backup's end point).
 */
export async function choosePostgresBase(targets: Target[], trust: SetTrust, source: string, setRef: string, at: Date | undefined, emit: Emit): Promise<PostgresPointInTime> {
  const view = await loadAllCatalogs(targets, trust, emit);
  const all = listBaseBackups(view.entries, source);
  if (all.length === 0) {
    throw new DrcError(`source ${source} has no base backup on ${targets.map((target) => target.name).join(', ')}`, {
      exitCode: EXIT.critical,
      hint: `take one with "drc backup --source ${source} --base-backup" (the source needs "pitr": true)`,
    });
  }
  const candidates = setRef === 'latest' ? all : all.filter((found) => found.setId === setRef);
  if (candidates.length === 0) throw new DrcError(`set ${setRef} holds no base backup of ${source}`, { hint: `sets with one: ${all.map((found) => found.setId).join(', ')}` });
  const base = at ? candidates.find((found) => found.finishedAt.getTime() <= at.getTime()) : candidates[0];
  if (!base) {
    const oldest = all[all.length - 1]!;
    throw new DrcError(`${at!.toISOString()} lies before ${setRef === 'latest' ? 'the oldest base backup' : `the base backup in set ${setRef}`} of ${source} (finished ${oldest.finishedAt.toISOString()})`, {
      exitCode: EXIT.critical,
      hint: `point-in-time recovery reaches from ${candidates[candidates.length - 1]!.finishedAt.toISOString()} on; pick a later time or restore a logical dump`,
    });
  }
  const resolved = await resolveSet(targets, base.setId, { trust, source, emit });
  const item = resolved.manifest.items.find((entry) => entry.source === source && entry.baseBackup)!;
  return { resolved, item, base };
}

export interface RecoverOptions {
  source: PostgresSourceConfig;
  pitr: PostgresPointInTime;
  wal: WalArchiveView;
  keys: DecryptionKeys;
  at: Date | undefined;
  emit: Emit;
  signal?: AbortSignal | undefined;
  keepDataDir?: string | undefined;
  scratchRoot?: string | undefined;
}

/** Recovers the chosen base backup to `at` in a throwaway instance (or into --data-dir) and runs `use`. */
export async function recoverPostgres<T>(options: RecoverOptions, use: (instance: RecoveredInstance) => Promise<T>): Promise<T> {
  const { pitr, emit } = options;
  const info = pitr.base.item.baseBackup;
  return withRecoveredInstance(
    {
      major: info.major,
      superuser: info.superuser,
      targetTime: options.at,
      wal: options.wal.supply,
      emit,
      signal: options.signal,
      keepDataDir: options.keepDataDir,
      scratchRoot: options.scratchRoot,
      unpack: async (dataDir, tarAs) => {
        await withGoodCopy({
          resolved: pitr.resolved,
          item: pitr.item,
          keys: options.keys,
          emit,
          forTool: true,
          ...(options.signal ? { signal: options.signal } : {}),
          attempt: (input) => {
            const [command, ...prefix] = [...tarAs, 'tar'];
            return feedTool(input, command!, [...prefix, '--extract', '--file=-', `--directory=${dataDir}`], {}, `unpacking base backup ${pitr.item.file}`);
          },
        });
      },
    },
    use,
  );
}

export interface CopyOutOptions {
  engine: DatabaseEngine;
  instance: RecoveredInstance;
  /** The live database's name: the one taken out of the recovered cluster. */
  database: string;
  /** Where it goes in the live cluster (`<db>_restore_<time>` or --into). */
  into: string;
  table?: string | undefined;
  smokeChecks?: SmokeCheck[] | undefined;
  at: Date | undefined;
}

/**
 * pg_dump of one database of the recovered cluster | pg_restore into `into` on the live server,
 * then the same checks as every restore: row counts (here: against the recovered database
 * itself, counted in one snapshot) and the source's smoke checks. Returns the problems found.
 */
export async function copyOutDatabase(options: CopyOutOptions): Promise<string[]> {
  const { engine, instance, database } = options;
  const recovered = instance.connection(database);
  const admin = await connectPostgres(instance.connection('postgres'), 'recovered instance', 'postgres');
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) throw new DrcError(`database "${database}" did not exist at ${options.at?.toISOString() ?? 'the end of the archive'}`, { hint: 'pick a later time' });
  } finally {
    await admin.end().catch(() => {});
  }
  const client = await connectPostgres(recovered, 'recovered instance', database);
  let expected: Array<{ name: string; rows: number }>;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    expected = await countPostgresRows(client, await listPostgresTables(client));
    await client.query('COMMIT');
  } finally {
    await client.end().catch(() => {});
  }
  if (!(await engine.exists(options.into))) await engine.create(options.into);
  await engine.load(options.into, dumpRecovered(recovered.uri));
  const counts = await engine.countRows(options.into);
  const problems = compareRowCounts({ tables: expected } as ManifestItem, counts, options.table);
  if (!options.table && options.smokeChecks?.length) problems.push(...(await engine.runSmokeChecks(options.into, options.smokeChecks)));
  return problems;
}

/** pg_dump -Fc of the recovered database as a restore tool's input; `done` fails when pg_dump does. */
function dumpRecovered(uri: string): PlainInput {
  const child = spawn(findPostgresTool('pg_dump'), ['--format=custom', '--compress=0', '--no-password', `--dbname=${uri}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new DrcError(`pg_dump of the recovered database failed (exit ${String(code)}): ${stderrTail(stderr)}`))));
  });
  done.catch(() => {});
  return { stream: child.stdout, done, isPipe: true };
}

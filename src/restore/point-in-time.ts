import type { Config, SourceConfig } from '../config/schema.js';
import { DrcError, EXIT } from '../errors.js';
import type { Emit } from '../events.js';
import type { ManifestItem } from '../sets/manifest.js';
import type { SetTrust } from '../sets/sealed-manifest.js';
import type { Target } from '../storage/types.js';
import type { SmokeCheck } from './db-checks.js';
import type { DecryptionKeys } from './decrypt.js';
import type { DatabaseEngine } from './engine.js';
import type { ResolvedSet } from './resolve-set.js';

/**
 * A point-in-time restore, engine by engine: which set and item it starts from, and how it
 * fills the scratch database that the ordinary restore then checks and swaps in. The rest
 * (confirmation, swap, kept copy, history) is the plain restore's, unchanged.
 */
export interface PointInTimePlan {
  resolved: ResolvedSet;
  /** The item replay starts from (a dump with log coordinates, a base backup). */
  item: ManifestItem;
  /** Lines for the plan shown before anything happens. */
  describe: string[];
  /** The instant the restored data stands at (the stop point), when it is known before the restore. */
  dataAsOf?: Date | undefined;
  /** Fills `database` (new, or empty) with the data as of the time; returns the checks' problems. */
  load(options: { engine: DatabaseEngine; keys: DecryptionKeys; database: string; table?: string | undefined; smokeChecks?: SmokeCheck[] | undefined }): Promise<{ problems: string[] }>;
  /** A whole server into an empty folder (PostgreSQL --data-dir); returns how to start it. */
  recoverInto?(dataDir: string, keys: DecryptionKeys): Promise<string[]>;
}

export interface PlanPointInTimeOptions {
  config: Config;
  source: SourceConfig;
  targets: Target[];
  trust: SetTrust;
  /** 'latest' (the newest usable before `at`) or a set id. */
  set: string;
  at: Date | undefined;
  /** MySQL/MariaDB: stop just before this binlog event ("mysql-bin.000042:91733"). */
  before?: string | undefined;
  /** The restore's start: relative times and plan ages are measured from it. */
  now: Date;
  keyFile?: string | undefined;
  emit: Emit;
  signal?: AbortSignal | undefined;
}

/** Routes a point-in-time restore to its engine; refuses sources that have no archive. */
export async function planPointInTime(options: PlanPointInTimeOptions): Promise<PointInTimePlan> {
  const { source } = options;
  if (source.type === 'postgres') {
    if (!source.pitr) {
      throw new DrcError(`source ${source.name} has no WAL archive: point-in-time restore needs "pitr": true`, {
        exitCode: EXIT.critical,
        hint: 'see README "Point-in-time recovery" to turn it on; until then restore a set without --at',
      });
    }
    return (await import('../pitr/postgres/plan.js')).planPostgresPointInTime({ ...options, source });
  }
  if (source.type === 'mysql') return (await import('../binlog/point-in-time-plan.js')).planMysqlPointInTime({ ...options, source });
  throw new DrcError(`source ${source.name} (${source.type}): point-in-time restore is not available for this kind of source`, { exitCode: EXIT.critical });
}

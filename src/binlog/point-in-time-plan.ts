import type { MysqlSourceConfig } from '../config/schema.js';
import type { PlanPointInTimeOptions, PointInTimePlan } from '../restore/point-in-time.js';
import { findItem, resolveSet } from '../restore/resolve-set.js';
import { loadAndCheck } from '../restore/scratch.js';
import { planPointInTime } from './pitr-restore.js';

/**
 * MySQL/MariaDB behind the engine-neutral point-in-time plan: the dump with coordinates is
 * loaded and row-counted as in a plain restore, then the archived binlogs are replayed onto
 * it, and only then do the smoke checks run (they must see the data as of the stop point).
 */
export async function planMysqlPointInTime(options: PlanPointInTimeOptions & { source: MysqlSourceConfig }): Promise<PointInTimePlan> {
  const { source, targets, trust, emit, signal } = options;
  const binlogs = await planPointInTime({
    config: options.config,
    source,
    targets,
    trust,
    setRef: options.set,
    request: { at: options.at?.toISOString(), before: options.before },
    keyFile: options.keyFile,
    emit,
    now: options.now,
  });
  const resolved = await resolveSet(targets, binlogs.setId, { trust, source: source.name, emit });
  const item = findItem(resolved, source.name);
  const lastEvent = binlogs.files[binlogs.files.length - 1]?.entry.lastEventAt;
  return {
    resolved,
    item,
    describe: binlogs.describe,
    dataAsOf: binlogs.stop.kind === 'time' ? binlogs.stop.at : lastEvent ? new Date(lastEvent) : undefined,
    async load({ engine, keys, database, table, smokeChecks }) {
      const loaded = await loadAndCheck({ engine, resolved, item, keys, emit, database, table, task: source.name, phase: 'restore', signal });
      if (loaded.problems.length) return loaded;
      await binlogs.replay(database, table, emit, signal);
      return { problems: smokeChecks?.length && !table ? await engine.runSmokeChecks(database, smokeChecks) : [] };
    },
  };
}

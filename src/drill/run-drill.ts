import type { Config, SourceConfig } from '../config/schema.js';
import type { Target } from '../storage/types.js';
import { DrcError, EXIT, errorMessage, type ExitCode } from '../errors.js';
import type { Emit } from '../events.js';
import { loadDecryptionKeys } from '../restore/decrypt.js';
import { createEngine, findSourceConfig, isDatabaseSource } from '../restore/engines.js';
import { derivedDatabaseName } from '../restore/names.js';
import { findItem, resolveSet } from '../restore/resolve-set.js';
import { dropScratch, loadAndCheck } from '../restore/scratch.js';
import { openRestoreJournal } from '../restore/restore-journal.js';
import { loadSetTrust, type SetTrust } from '../sets/sealed-manifest.js';
import { appendHistory, type DrillRecord } from '../state/history.js';
import { acquireLock, type Lock } from '../state/lock.js';
import { holdSetForReading } from '../state/set-readers.js';
import { openTargets } from '../storage/open-targets.js';
import { recordDrillOnTargets } from '../fleet/drill-record.js';
import { hostName } from '../sets/set-id.js';
import { formatDuration, parseDuration } from '../util/duration.js';

export interface DrillOptions {
  config: Config;
  stateDir: string;
  /** Only this source (default: every database source). */
  source?: string | undefined;
  keyFile?: string | undefined;
  /** --allow-unsigned: a legacy set without a seal may be drilled (loudly). */
  allowUnsigned?: boolean | undefined;
  emit: Emit;
  signal?: AbortSignal | undefined;
  now?: () => Date;
}

export interface DrillResult {
  source: string;
  setId?: string;
  ok: boolean;
  /** Drill start → restored copy verified. */
  rtoMs?: number;
  /** Age of the newest set at drill start. */
  rpoMs?: number;
  objectives: { rtoMs?: number; rpoMs?: number };
  problems: string[];
}

/**
 * A restore rehearsal per database source: the newest set is restored into a scratch
 * database, checked (row counts, smoke checks) and dropped; the achieved RTO and RPO are
 * judged against config.objectives and appended to the drill history. Live data is never touched.
 */
export async function runDrill(options: DrillOptions): Promise<{ exitCode: ExitCode; drills: DrillResult[] }> {
  const { config } = options;
  const sources = options.source ? [findSourceConfig(config.sources, options.source)] : config.sources.filter(isDatabaseSource);
  if (!sources.length) throw new DrcError('no database source is configured: nothing to drill');
  const objectives = {
    ...(config.objectives?.rto ? { rtoMs: parseDuration(config.objectives.rto)! } : {}),
    ...(config.objectives?.rpo ? { rpoMs: parseDuration(config.objectives.rpo)! } : {}),
  };
  const targets = await openTargets(config);
  const trust = await loadSetTrust(config, options.stateDir, { allowUnsealed: options.allowUnsigned });
  const lock = await acquireLock(options.stateDir, 'drill', 'drc drill');
  try {
    return await drillSources(options, sources, objectives, targets, trust);
  } finally {
    await lock.release();
  }
}

async function drillSources(
  options: DrillOptions,
  sources: SourceConfig[],
  objectives: DrillResult['objectives'],
  targets: Target[],
  trust: SetTrust,
): Promise<{ exitCode: ExitCode; drills: DrillResult[] }> {
  const { config, emit } = options;
  const now = options.now ?? (() => new Date());
  const drills: DrillResult[] = [];
  for (const source of sources) {
    if (options.signal?.aborted) break;
    const started = now();
    const drill: DrillResult = { source: source.name, ok: false, objectives, problems: [] };
    const releases: Lock[] = [];
    try {
      if (!isDatabaseSource(source)) throw new DrcError(`source ${source.name} is a ${source.type} source; drills restore databases`);
      const held = await holdSetForReading(options.stateDir, 'drc drill', () => resolveSet(targets, 'latest', { trust, source: source.name, emit }), emit);
      releases.push(held.lock);
      const resolved = held.resolved;
      drill.setId = resolved.id;
      drill.rpoMs = started.getTime() - resolved.time.getTime();
      const item = findItem(resolved, source.name);
      const keys = await loadDecryptionKeys(config.encryption, resolved.manifest, options.keyFile);
      const engine = await createEngine(source);
      const scratch = derivedDatabaseName(engine.database, 'drill', started);
      const journal = await openRestoreJournal(options.stateDir, { kind: 'drill', engine: engine.kind, source: source.name, live: engine.database, scratch });
      try {
        const loaded = await loadAndCheck({ engine, resolved, item, keys, emit, database: scratch, smokeChecks: source.checks, task: source.name, phase: 'drill', signal: options.signal, journal });
        drill.rtoMs = now().getTime() - started.getTime();
        drill.problems.push(...loaded.problems);
      } finally {
        await dropScratch(engine, scratch, journal);
      }
      if (objectives.rtoMs !== undefined && drill.rtoMs > objectives.rtoMs) {
        drill.problems.push(`RTO ${formatDuration(drill.rtoMs)} misses the objective ${config.objectives!.rto}`);
      }
      if (objectives.rpoMs !== undefined && drill.rpoMs > objectives.rpoMs) {
        drill.problems.push(`RPO ${formatDuration(drill.rpoMs)} (age of set ${resolved.id}) misses the objective ${config.objectives!.rpo}`);
      }
    } catch (error) {
      drill.problems.push(errorMessage(error));
    } finally {
      for (const held of releases) await held.release();
    }
    drill.ok = drill.problems.length === 0;
    drills.push(drill);
    for (const problem of drill.problems) emit({ type: 'log', level: 'error', message: `drill ${source.name}: ${problem}` });
    emit({ type: 'log', level: drill.ok ? 'info' : 'warn', message: describeDrill(drill, config) });
    const record: DrillRecord = { kind: 'drill', at: now().toISOString(), ...drill };
    await appendHistory(options.stateDir, record).catch(() => {});
  }
  const failed = drills.filter((drill) => !drill.ok);
  const exitCode = failed.length || options.signal?.aborted ? EXIT.critical : EXIT.ok;
  // The newest drill also goes beside the sets, for fleet views from other machines.
  const slowest = drills.reduce<DrillResult | undefined>((worst, drill) => ((drill.rtoMs ?? 0) > (worst?.rtoMs ?? -1) ? drill : worst), undefined);
  await recordDrillOnTargets(
    targets,
    {
      format: 'drc-drill/1',
      host: hostName(),
      at: now().toISOString(),
      scope: 'sources',
      ok: exitCode === EXIT.ok,
      problems: failed.flatMap((drill) => drill.problems.map((problem) => `${drill.source}: ${problem}`)),
      ...(slowest?.setId ? { setId: slowest.setId } : {}),
      ...(slowest?.rtoMs !== undefined ? { rtoMs: slowest.rtoMs } : {}),
      ...(slowest?.rpoMs !== undefined ? { rpoMs: slowest.rpoMs } : {}),
    },
    emit,
  );
  emit({
    type: 'result',
    command: 'drill',
    exitCode,
    summary: failed.length ? `drill FAILED: ${failed.map((drill) => drill.source).join(', ')}` : `drill OK: ${drills.map((drill) => drill.source).join(', ')}`,
    data: { drills },
  });
  return { exitCode, drills };
}

function describeDrill(drill: DrillResult, config: Config): string {
  const rto = drill.rtoMs === undefined ? 'RTO —' : `RTO ${formatDuration(drill.rtoMs)}${config.objectives?.rto ? ` (objective ${config.objectives.rto})` : ''}`;
  const rpo = drill.rpoMs === undefined ? 'RPO —' : `RPO ${formatDuration(drill.rpoMs)}${config.objectives?.rpo ? ` (objective ${config.objectives.rpo})` : ''}`;
  return `drill ${drill.source}: ${drill.ok ? 'passed' : 'FAILED'}; ${rto}, ${rpo}${drill.setId ? `, set ${drill.setId}` : ''}`;
}

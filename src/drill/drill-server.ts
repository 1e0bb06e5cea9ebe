import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config, SourceConfig } from '../config/schema.js';
import { DrcError, EXIT, errorMessage, type ExitCode } from '../errors.js';
import type { Emit } from '../events.js';
import { findMariaDb, startMariaDb, type MariaServer } from '../demo/mariadb-server.js';
import { startPgCluster, type PgCluster } from '../demo/postgres-cluster.js';
import { recordDrillOnTargets } from '../fleet/drill-record.js';
import { loadDecryptionKeys } from '../restore/decrypt.js';
import { createEngine, isDatabaseSource } from '../restore/engines.js';
import { restoreFiles } from '../restore/files-restore.js';
import { resolveSet, type ResolvedSet } from '../restore/resolve-set.js';
import { loadAndCheck } from '../restore/scratch.js';
import type { ManifestItem } from '../sets/manifest.js';
import { isMetaItem } from '../sets/meta-items.js';
import { hostName } from '../sets/set-id.js';
import { appendHistory } from '../state/history.js';
import { openTargets } from '../storage/open-targets.js';
import type { Target } from '../storage/types.js';
import { confineRelativePath } from '../trust/confine.js';
import { deepCheckItem } from '../verify/deep-check.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { loadSetTrust } from '../sets/sealed-manifest.js';

export interface ServerDrillOptions {
  config: Config;
  stateDir: string;
  /** Read the set from this target only (default: the offsite ones, else all). */
  target?: string | undefined;
  keyFile?: string | undefined;
  emit: Emit;
  signal?: AbortSignal | undefined;
}

export interface ServerDrillItem {
  source: string;
  type: ManifestItem['type'];
  ok: boolean;
  detail: string;
  durationMs: number;
}

export interface ServerDrillResult {
  exitCode: ExitCode;
  setId?: string;
  rtoMs?: number;
  rpoMs?: number;
  items: ServerDrillItem[];
  problems: string[];
}

/**
 * The server-lost rehearsal without a second machine: throwaway PostgreSQL/MariaDB servers
 * (as `drc demo` starts them) in a temp folder, every database and files item of the newest
 * offsite set restored into them and a temp root, every source's checks run, the whole-server
 * RTO (drill start → last item verified) and RPO (age of the set) recorded. Everything it
 * started is stopped and the folder removed, also when stopped by a signal.
 */
export async function runServerDrill(options: ServerDrillOptions): Promise<ServerDrillResult> {
  const { config, emit } = options;
  const started = new Date();
  const result: ServerDrillResult = { exitCode: EXIT.critical, items: [], problems: [] };
  const allTargets = await openTargets(config, options.target ? [options.target] : undefined);
  const offsite = allTargets.filter((target) => target.type !== 'local');
  const targets = options.target || !offsite.length ? allTargets : offsite;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drc-drill-'));
  // The postgres user must reach its cluster folder inside; nobody may list the folder.
  await chmod(dir, 0o711);
  const stops: Array<() => Promise<void>> = [];
  try {
    emit({ type: 'log', level: 'info', message: `drill --all: throwaway servers and files in ${dir}` });
    const resolved = await resolveSet(targets, 'latest', { trust: await loadSetTrust(config, options.stateDir), emit });
    result.setId = resolved.id;
    result.rpoMs = started.getTime() - resolved.time.getTime();
    const keys = await loadDecryptionKeys(config.encryption, resolved.manifest, options.keyFile);
    const servers = await startServers(resolved, dir, stops, emit);
    for (const item of resolved.manifest.items) {
      if (options.signal?.aborted) throw new DrcError(`drill stopped (${errorMessage(options.signal.reason)})`);
      const itemStarted = Date.now();
      try {
        const detail = await drillItem(item, { config, resolved, keys, emit, dir, servers, signal: options.signal });
        result.items.push({ source: item.source, type: item.type, ok: true, detail, durationMs: Date.now() - itemStarted });
      } catch (error) {
        result.items.push({ source: item.source, type: item.type, ok: false, detail: errorMessage(error), durationMs: Date.now() - itemStarted });
        result.problems.push(`${item.source}: ${errorMessage(error)}`);
      }
    }
    result.rtoMs = Date.now() - started.getTime();
    judgeObjectives(config, result);
  } catch (error) {
    result.problems.push(errorMessage(error));
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
  const ok = result.problems.length === 0 && !options.signal?.aborted;
  result.exitCode = ok ? EXIT.ok : EXIT.critical;
  await record(options, targets, result, ok, started);
  return result;
}

interface Servers {
  pg?: PgCluster;
  maria?: MariaServer;
}

async function startServers(resolved: ResolvedSet, dir: string, stops: Array<() => Promise<void>>, emit: Emit): Promise<Servers> {
  const servers: Servers = {};
  const kinds = new Set(resolved.manifest.items.map((item) => item.type));
  if (kinds.has('postgres')) {
    emit({ type: 'log', level: 'info', message: 'drill --all: starting a throwaway PostgreSQL…' });
    servers.pg = await startPgCluster(path.join(dir, 'postgres'));
    const pg = servers.pg;
    stops.push(() => pg.stop());
  }
  if (kinds.has('mysql')) {
    const tools = await findMariaDb();
    if (tools) {
      emit({ type: 'log', level: 'info', message: 'drill --all: starting a throwaway MariaDB…' });
      servers.maria = await startMariaDb(path.join(dir, 'mariadb'), tools);
      const maria = servers.maria;
      stops.push(() => maria.stop());
    }
  }
  return servers;
}

interface ItemContext {
  config: Config;
  resolved: ResolvedSet;
  keys: Awaited<ReturnType<typeof loadDecryptionKeys>>;
  emit: Emit;
  dir: string;
  servers: Servers;
  signal?: AbortSignal | undefined;
}

/** Restores one item where it would go on a new machine, and checks it; returns what was proven. */
async function drillItem(item: ManifestItem, context: ItemContext): Promise<string> {
  const { config, resolved, keys, emit } = context;
  const source = config.sources.find((entry) => entry.name === item.source && entry.type === item.type);
  if ((item.type === 'postgres' || item.type === 'mysql') && source && isDatabaseSource(source)) {
    const throwaway = throwawaySource(source, item, context.servers);
    const engine = await createEngine(throwaway);
    try {
      const loaded = await loadAndCheck({ engine, resolved, item, keys, emit, database: engine.database, smokeChecks: source.checks, task: item.source, phase: 'drill --all', signal: context.signal });
      if (loaded.problems.length) throw new DrcError(loaded.problems.join('; '));
      return `${loaded.tablesChecked} table row count(s) match${source.checks?.length ? `, ${source.checks.length} smoke check(s) passed` : ''} in a throwaway ${engine.kind}`;
    } finally {
      await engine.close();
    }
  }
  if (item.type === 'files') {
    const root = path.join(context.dir, 'root');
    const plan = (item.paths ?? []).map((original) => ({ from: original, to: path.join(root, confineRelativePath(original, `set item ${item.source}: path`)) }));
    const done = await restoreFiles({ resolved, item, keys, emit, time: new Date(), plan, signal: context.signal });
    return `${done.restoredInto.length} path(s) extracted in full below the temp root`;
  }
  // SaaS snapshots, the config and the inventory: decrypted and checked against the manifest.
  const checked = await deepCheckItem(config, context.dir, resolved, item, keys, emit, new Date(), context.signal);
  if (checked.problems.length) throw new DrcError(checked.problems.join('; '));
  return `${checked.detail ?? 'decrypted'}${isMetaItem(item) ? '' : ' (SaaS state: restored by a person with drc sync push)'}`;
}

/** The source as it would be on the new machine: same database name, on the throwaway server. */
function throwawaySource(source: Extract<SourceConfig, { type: 'postgres' | 'mysql' }>, item: ManifestItem, servers: Servers): SourceConfig {
  const database = item.database ?? source.url.replace(/[?#].*$/, '').split('/').pop()!;
  if (source.type === 'postgres') {
    if (!servers.pg) throw new DrcError('no throwaway PostgreSQL could be started');
    return { name: source.name, type: 'postgres', url: servers.pg.url(database) };
  }
  if (!servers.maria) {
    throw new DrcError('MariaDB server tools (mariadb-install-db, mariadbd) are not installed here: no throwaway MariaDB', { hint: 'install mariadb-server on the machine that runs drills' });
  }
  return { name: source.name, type: 'mysql', url: servers.maria.url(database) };
}

function judgeObjectives(config: Config, result: ServerDrillResult): void {
  const rto = config.objectives?.rto ? parseDuration(config.objectives.rto) : undefined;
  const rpo = config.objectives?.rpo ? parseDuration(config.objectives.rpo) : undefined;
  if (rto !== undefined && result.rtoMs! > rto) result.problems.push(`whole-server RTO ${formatDuration(result.rtoMs!)} misses the objective ${config.objectives!.rto}`);
  if (rpo !== undefined && result.rpoMs! > rpo) result.problems.push(`RPO ${formatDuration(result.rpoMs!)} (age of set ${result.setId}) misses the objective ${config.objectives!.rpo}`);
}

async function record(options: ServerDrillOptions, targets: Target[], result: ServerDrillResult, ok: boolean, started: Date): Promise<void> {
  const { config, emit } = options;
  const problems = options.signal?.aborted ? [...result.problems, `stopped: ${errorMessage(options.signal.reason)}`] : result.problems;
  const objectives = {
    ...(config.objectives?.rto ? { rtoMs: parseDuration(config.objectives.rto)! } : {}),
    ...(config.objectives?.rpo ? { rpoMs: parseDuration(config.objectives.rpo)! } : {}),
  };
  const at = new Date().toISOString();
  const measured = { ...(result.setId ? { setId: result.setId } : {}), ...(result.rtoMs !== undefined ? { rtoMs: result.rtoMs } : {}), ...(result.rpoMs !== undefined ? { rpoMs: result.rpoMs } : {}) };
  await appendHistory(options.stateDir, { kind: 'drill', at, source: 'server', ok, objectives, problems, ...measured }).catch(() => {});
  await recordDrillOnTargets(targets, { format: 'drc-drill/1', host: hostName(), at, scope: 'server', ok, problems, ...measured }, emit);
  for (const item of result.items) emit({ type: 'log', level: item.ok ? 'info' : 'error', message: `  ${item.ok ? 'OK    ' : 'FAILED'} ${item.source} (${item.type}) ${formatDuration(item.durationMs)}: ${item.detail}` });
  const measures = `whole-server RTO ${result.rtoMs === undefined ? '—' : formatDuration(result.rtoMs)}${config.objectives?.rto ? ` (objective ${config.objectives.rto})` : ''}, RPO ${result.rpoMs === undefined ? '—' : formatDuration(result.rpoMs)}${config.objectives?.rpo ? ` (objective ${config.objectives.rpo})` : ''}`;
  emit({
    type: 'result',
    command: 'drill',
    exitCode: ok ? EXIT.ok : EXIT.critical,
    summary: ok ? `drill --all OK: ${result.items.length} item(s) of set ${result.setId} restored and checked in throwaway servers; ${measures}` : `drill --all FAILED: ${problems.join('; ')}; ${measures}`,
    data: { ...result, exitCode: ok ? EXIT.ok : EXIT.critical, startedAt: started.toISOString() },
  });
}

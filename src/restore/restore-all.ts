import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config, SourceConfig } from '../config/schema.js';
import { DrcError, EXIT, errorMessage, type ExitCode } from '../errors.js';
import type { Emit } from '../events.js';
import type { ManifestItem } from '../sets/manifest.js';
import { isMetaItem } from '../sets/meta-items.js';
import { appendHistory } from '../state/history.js';
import { openTargets } from '../storage/open-targets.js';
import type { Target } from '../storage/types.js';
import { loadArchiveTimeline } from '../archive/timeline.js';
import { confineRelativePath } from '../trust/confine.js';
import { shellJoin } from '../trust/shell-quote.js';
import { formatDuration } from '../util/duration.js';
import { loadDecryptionKeys } from './decrypt.js';
import { createEngine, isDatabaseSource } from './engines.js';
import { isEmptyFolder, restoreFiles } from './files-restore.js';
import { restoreStamp } from './names.js';
import { resolveSet, type ResolvedSet } from './resolve-set.js';
import { runRestore } from './run-restore.js';
import { loadSetTrust } from '../sets/sealed-manifest.js';

export interface RestoreAllOptions {
  config: Config;
  stateDir: string;
  /** 'latest' (newest complete set) or a set id. */
  set: string;
  /** Re-roots every files item below this folder (a rehearsal on a spare machine). */
  root?: string | undefined;
  keyFile?: string | undefined;
  yes: boolean;
  emit: Emit;
  signal?: AbortSignal | undefined;
  confirm?: ((plan: string) => Promise<boolean>) | undefined;
}

/** One entry of the plan, and afterwards of the summary. */
export interface PlannedItem {
  source: string;
  type: ManifestItem['type'];
  order: 'database' | 'files' | 'service';
  /** What will happen, in a person's words. */
  action: string;
  status: 'planned' | 'restored' | 'failed' | 'planned-only' | 'skipped';
  detail?: string;
  durationMs?: number;
  /** databases with a point-in-time archive: its newest archived event, restored to. */
  newestArchivedAt?: string;
  /** files: where each archived path goes. */
  destinations?: Array<{ from: string; to: string }>;
}

export interface RestoreAllOutcome {
  exitCode: ExitCode;
  setId: string;
  setTime: string;
  items: PlannedItem[];
  durationMs: number;
}

const ORDER = { database: 0, files: 1, service: 2 } as const;

/**
 * The whole server from one set: databases first (a missing one is created and loaded, an
 * existing one restored with the usual checked swap), then files (back in place where the
 * original is absent or empty, else beside it), then SaaS state as a push plan that a person
 * applies. One plan before, one summary after, every item timed; one failure does not stop the
 * rest, and the exit code says it happened.
 */
export async function restoreAll(options: RestoreAllOptions): Promise<RestoreAllOutcome> {
  const { config, emit } = options;
  const started = new Date();
  const targets = await openTargets(config);
  const resolved = await resolveSet(targets, options.set, { trust: await loadSetTrust(config, options.stateDir), emit });
  const keys = await loadDecryptionKeys(config.encryption, resolved.manifest, options.keyFile);
  const items = await planItems(config, resolved, targets, started, options.root);
  const planText = describePlan(resolved, items, started);
  emit({ type: 'log', level: 'info', message: planText });
  if (!options.yes) {
    if (!options.confirm) throw new DrcError('restore --all needs confirmation: no terminal to ask at', { hint: 'pass --yes to restore without asking' });
    if (!(await options.confirm(planText))) throw new DrcError('restore cancelled; nothing was changed');
  }
  // Each item's own result line becomes a log line: this command reports one result.
  const inner: Emit = (event) => (event.type === 'result' ? emit({ type: 'log', level: event.exitCode === 0 ? 'info' : 'error', message: event.summary }) : emit(event));
  for (const item of items) {
    if (item.status === 'skipped') continue;
    if (options.signal?.aborted) {
      item.status = 'failed';
      item.detail = `not started: ${errorMessage(options.signal.reason)}`;
      continue;
    }
    const itemStarted = Date.now();
    try {
      if (item.order === 'database') {
        const restoreFrom = (set: string, at?: Date) =>
          runRestore({ config, stateDir: options.stateDir, set, source: item.source, keyFile: options.keyFile, yes: true, emit: inner, signal: options.signal, ...(at ? { at } : {}) });
        let outcome = item.newestArchivedAt ? await restoreFrom('latest', new Date(item.newestArchivedAt)) : await restoreFrom(resolved.id);
        let note = item.newestArchivedAt ? `; to the newest archived point ${item.newestArchivedAt}` : '';
        if (item.newestArchivedAt && outcome.exitCode !== EXIT.ok && !options.signal?.aborted) {
          // A point-in-time restore fails before anything live is touched; the set still restores.
          emit({ type: 'log', level: 'warn', message: `${item.source}: point-in-time restore failed (${outcome.error ?? 'see above'}); restoring it from set ${resolved.id} instead` });
          outcome = await restoreFrom(resolved.id);
          note = `; from the set only: the point-in-time restore failed (${outcome.error ?? 'see the log'})`;
        }
        if (outcome.exitCode !== EXIT.ok) throw new DrcError(outcome.error ?? 'restore failed');
        item.detail = `${outcome.keptAs ? `into ${outcome.restoredInto}; previous data kept as ${outcome.keptAs}` : `into ${outcome.restoredInto}`}${note}`;
      } else if (item.order === 'files') {
        const manifestItem = resolved.manifest.items.find((entry) => entry.source === item.source)!;
        const done = await restoreFiles({ resolved, item: manifestItem, keys, emit: inner, time: started, plan: item.destinations, signal: options.signal });
        item.detail = `into ${done.restoredInto.join(', ')}`;
        await appendHistory(options.stateDir, { kind: 'restore', at: new Date().toISOString(), source: item.source, setId: resolved.id, into: done.restoredInto.join(', '), ok: true, durationMs: Date.now() - itemStarted }).catch(() => {});
      } else {
        item.detail = await planServicePush(config, options.stateDir, item.source, resolved.id, inner);
      }
      item.status = item.order === 'service' ? 'planned-only' : 'restored';
    } catch (error) {
      item.status = 'failed';
      item.detail = errorMessage(error);
    }
    item.durationMs = Date.now() - itemStarted;
    emit({ type: 'log', level: item.status === 'failed' ? 'error' : 'info', message: `${item.source}: ${item.status} in ${formatDuration(item.durationMs)}${item.detail ? ` (${item.detail})` : ''}` });
  }
  const durationMs = Date.now() - started.getTime();
  const failed = items.filter((item) => item.status === 'failed');
  const manual = items.filter((item) => item.status === 'planned-only');
  const exitCode = failed.length ? EXIT.critical : manual.length ? EXIT.warning : EXIT.ok;
  emit({ type: 'log', level: 'info', message: describeSummary(resolved, items, durationMs) });
  const summary = failed.length
    ? `restore --all FAILED for ${failed.map((item) => item.source).join(', ')}; ${items.filter((item) => item.status === 'restored').length} item(s) restored from set ${resolved.id} in ${formatDuration(durationMs)}`
    : `restore --all OK: ${items.filter((item) => item.status === 'restored').length} item(s) from set ${resolved.id} in ${formatDuration(durationMs)}${manual.length ? `; ${manual.map((item) => item.source).join(', ')} need a person to apply the push plan` : ''}`;
  const outcome: RestoreAllOutcome = { exitCode, setId: resolved.id, setTime: resolved.time.toISOString(), items, durationMs };
  emit({ type: 'result', command: 'restore', exitCode, summary, data: { ...outcome } });
  return outcome;
}

/** Every item of the set in restore order, with what will happen to it. Reads, never writes. */
async function planItems(config: Config, resolved: ResolvedSet, targets: Target[], time: Date, root: string | undefined): Promise<PlannedItem[]> {
  const planned: PlannedItem[] = [];
  for (const item of resolved.manifest.items) {
    if (isMetaItem(item)) continue;
    const source = config.sources.find((entry) => entry.name === item.source && entry.type === item.type);
    const order = item.type === 'files' ? 'files' : item.type === 'calcom' || item.type === 'retell' ? 'service' : 'database';
    const entry: PlannedItem = { source: item.source, type: item.type, order, action: '', status: 'planned' };
    if (!source) {
      Object.assign(entry, { status: 'skipped', action: `skipped: no ${item.type} source "${item.source}" in the config` });
    } else if (isDatabaseSource(source)) {
      entry.action = await describeDatabaseRestore(source);
      const newest = await newestArchivedEvent(targets, source.name);
      if (newest) {
        entry.newestArchivedAt = newest;
        entry.action += `; to its newest archived point ${newest} (point-in-time archive)`;
      }
    } else if (item.type === 'files') {
      entry.destinations = await planFileDestinations(item, time, root);
      entry.action = entry.destinations.map((destination) => `${destination.from} → ${destination.to}`).join(', ');
    } else {
      entry.action = `plan only: what "${shellJoin(['drc', 'sync', 'push', item.source, '--from', resolved.id, '--apply'])}" would change (a person applies it)`;
    }
    planned.push(entry);
  }
  return planned.sort((a, b) => ORDER[a.order] - ORDER[b.order]);
}

/** The newest event a source's point-in-time archive holds, if it has one (binlogs, WAL). */
async function newestArchivedEvent(targets: Target[], source: string): Promise<string | undefined> {
  const timeline = await loadArchiveTimeline(targets, source).catch(() => undefined);
  return timeline?.files.length ? timeline.newestEventAt : undefined;
}

async function describeDatabaseRestore(source: Extract<SourceConfig, { type: 'postgres' | 'mysql' }>): Promise<string> {
  const engine = await createEngine(source);
  try {
    const live = engine.database;
    const exists = await engine.exists(live).catch(() => false);
    if (!exists) return `${engine.kind} database "${live}" does not exist: created and loaded, checked`;
    if (await engine.isEmpty(live).catch(() => false)) return `${engine.kind} database "${live}" is empty: loaded beside it, checked, swapped in`;
    return `${engine.kind} database "${live}" exists: loaded beside it, checked, swapped in (the current one kept)`;
  } finally {
    await engine.close();
  }
}

/**
 * Each archived path goes back where it was (below `root` when given) when nothing is there or
 * an empty folder is; otherwise beside it, so nothing present is ever overwritten.
 */
async function planFileDestinations(item: ManifestItem, time: Date, root: string | undefined): Promise<Array<{ from: string; to: string }>> {
  const destinations: Array<{ from: string; to: string }> = [];
  for (const original of item.paths ?? []) {
    const relative = confineRelativePath(original, `set item ${item.source}: path`);
    const place = path.join(root ? path.resolve(root) : '/', relative);
    const free = !(await stat(place).catch(() => undefined)) || (await isEmptyFolder(place));
    destinations.push({ from: `/${relative}`, to: free ? place : `${place}.restored-${restoreStamp(time)}` });
  }
  return destinations;
}

async function planServicePush(config: Config, stateDir: string, source: string, setId: string, emit: Emit): Promise<string> {
  const apply = shellJoin(['drc', 'sync', 'push', source, '--from', setId, '--apply']);
  try {
    const [{ syncPush }, { pendingActions }] = await Promise.all([import('../services/actions.js'), import('../services/plan.js')]);
    const result = await syncPush(config, stateDir, source, setId, false, emit);
    return `${pendingActions(result.plan).length} change(s) planned, not applied; review them, then: ${apply}`;
  } catch (error) {
    return `no push plan now (${errorMessage(error)}); once the service answers: ${apply}`;
  }
}

function describePlan(resolved: ResolvedSet, items: PlannedItem[], now: Date): string {
  const age = formatDuration(now.getTime() - resolved.time.getTime());
  return [
    `restore --all from set ${resolved.id} (host ${resolved.manifest.host}, taken ${age} ago, ${resolved.manifest.status}, copies on ${resolved.copies.map((copy) => copy.target.name).join(', ')}):`,
    ...items.map((item, index) => `  ${index + 1}. ${item.source} (${item.type}): ${item.action}`),
  ].join('\n');
}

function describeSummary(resolved: ResolvedSet, items: PlannedItem[], durationMs: number): string {
  return [
    `summary of restore --all from set ${resolved.id}, ${formatDuration(durationMs)} in all:`,
    ...items.map((item) => `  ${item.status.toUpperCase().padEnd(12)} ${item.source} (${item.type})${item.durationMs !== undefined ? ` ${formatDuration(item.durationMs)}` : ''}${item.detail ? `: ${item.detail}` : ''}`),
  ].join('\n');
}

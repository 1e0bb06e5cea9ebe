import type { Config } from '../config/schema.js';
import { redact } from '../config/secrets.js';
import { DrcError, errorMessage } from '../errors.js';
import type { Emit } from '../events.js';
import { loadCatalog, type CatalogEntry } from '../sets/catalog.js';
import type { SetTrust } from '../sets/sealed-manifest.js';
import { readHistory } from '../state/history.js';
import { acquireLock } from '../state/lock.js';
import { findSetsBeingRead } from '../state/set-readers.js';
import type { Target } from '../storage/types.js';
import { hasKeepRule, planRetention, type RetentionCandidate, type RetentionPlan, type RetentionPolicy } from './plan.js';

export interface PruneResult {
  target: string;
  plan: RetentionPlan;
  dryRun: boolean;
  removed: string[];
  failed: Array<{ id: string; error: string }>;
  /** Sets whose manifest is forged or stripped of its seal: the target was not pruned at all. */
  refused: Array<{ id: string; problem: string }>;
}

export interface PruneOptions {
  stateDir: string;
  trust: SetTrust;
  dryRun: boolean;
  emit: Emit;
  now?: Date;
}

/** The configured policy, refused when it has no keep rule (it would delete all but the newest set). */
export function requirePolicy(config: Config): RetentionPolicy {
  const { afterBackup: _afterBackup, ...policy } = config.retention ?? {};
  if (!hasKeepRule(policy)) {
    throw new DrcError('no retention policy: config.retention names no keepLast, hourly, daily, weekly, monthly or yearly count', {
      hint: 'add e.g. "retention": { "keepLast": 5, "daily": 14, "weekly": 4, "monthly": 3 } to the config',
    });
  }
  return policy;
}

/**
 * Plans retention for one target, prints why each set is kept or dropped, then (unless a dry
 * run) removes the dropped sets oldest first. removeSet deletes the manifest first, so a set
 * interrupted half-way is never listed as complete again.
 */
export async function pruneTarget(target: Target, policy: RetentionPolicy, options: PruneOptions): Promise<PruneResult> {
  const catalog = await loadCatalog(target, options.trust);
  const verified = await readVerifiedSetIds(options.stateDir, target.name);
  const readers = await findSetsBeingRead(options.stateDir);
  const plan = planRetention(toCandidates(catalog, verified, readers), policy, options.now ?? new Date());
  for (const line of describePlan(target.name, plan)) options.emit({ type: 'log', level: 'info', message: line });
  const refused = catalog.filter((entry) => entry.refused).map((entry) => ({ id: entry.id, problem: entry.problem ?? 'not authentic' }));
  const result: PruneResult = { target: target.name, plan, dryRun: options.dryRun, removed: [], failed: [], refused };
  // Forged sets mean someone else writes here: a plan built on what they wrote could delete
  // the good sets, so nothing on this target is deleted until a person has looked.
  for (const entry of refused) {
    options.emit({ type: 'log', level: 'error', message: `${target.name}: ${entry.id}: ${entry.problem}; nothing on ${target.name} is pruned` });
  }
  if (options.dryRun || refused.length) return result;
  for (const id of [...plan.drop].reverse()) {
    try {
      await target.removeSet(id);
      result.removed.push(id);
      options.emit({ type: 'log', level: 'info', message: `${target.name}: removed ${id}` });
    } catch (error) {
      const message = redact(errorMessage(error));
      result.failed.push({ id, error: message });
      options.emit({ type: 'log', level: 'error', message: `${target.name}: could not remove ${id}: ${message}` });
    }
  }
  return result;
}

/**
 * For the backup command when `retention.afterBackup` is set: prunes every given target and
 * never throws, since a failed prune must not turn a good backup into a failed one.
 * Returns nothing to do ([]) when afterBackup is off.
 */
export async function pruneAfterBackup(config: Config, trust: SetTrust, targets: Target[], emit: Emit, now = new Date()): Promise<PruneResult[]> {
  if (!config.retention?.afterBackup) return [];
  let policy: RetentionPolicy;
  try {
    policy = requirePolicy(config);
  } catch (error) {
    emit({ type: 'log', level: 'warn', message: `prune after backup skipped: ${errorMessage(error)}` });
    return [];
  }
  const results: PruneResult[] = [];
  try {
    await withPruneLock(trust.stateDir, false, async () => {
      for (const target of targets) {
        try {
          results.push(await pruneTarget(target, policy, { stateDir: trust.stateDir, trust, dryRun: false, emit, now }));
        } catch (error) {
          emit({ type: 'log', level: 'warn', message: `prune after backup on ${target.name} failed: ${redact(errorMessage(error))}` });
        }
      }
    });
  } catch (error) {
    emit({ type: 'log', level: 'warn', message: `prune after backup skipped: ${errorMessage(error)}` });
  }
  return results;
}

export function toCandidates(catalog: CatalogEntry[], verified: Set<string>, readers = new Map<string, string>()): RetentionCandidate[] {
  return catalog.map((entry) => ({
    id: entry.id,
    time: entry.time,
    // An unsigned (legacy) set is kept like an unreadable one: prune never judges what it cannot trust.
    status: entry.legacy ? 'unreadable' : entry.status,
    sources: [...new Set(entry.manifest?.items.map((item) => item.source) ?? [])],
    verified: verified.has(entry.id),
    beingRead: readers.get(entry.id),
  }));
}

/**
 * Runs a prune under the prune lock (a dry run deletes nothing and needs none). The lock is
 * taken before any reader is listed: see holdSetForReading for why that order matters.
 */
export async function withPruneLock<T>(stateDir: string, dryRun: boolean, work: () => Promise<T>): Promise<T> {
  const lock = dryRun ? undefined : await acquireLock(stateDir, 'prune', 'drc prune');
  try {
    return await work();
  } finally {
    await lock?.release();
  }
}

/** Sets whose latest verification on this target passed (a later failed one revokes it). */
export async function readVerifiedSetIds(stateDir: string, targetName: string): Promise<Set<string>> {
  const latest = new Map<string, boolean>();
  for (const record of await readHistory(stateDir, 'verify')) {
    if (record.target === targetName) latest.set(record.setId, record.ok);
  }
  return new Set([...latest].filter(([, ok]) => ok).map(([id]) => id));
}

/** "local: keep 2026-11-20T02-15-00Z_web1 — daily 2026-11-20, weekly 2026-W47". */
export function describePlan(targetName: string, plan: RetentionPlan): string[] {
  const lines = plan.decisions.map(
    (decision) =>
      `${targetName}: ${decision.action} ${decision.id}${decision.status === 'complete' ? '' : ` [${decision.status}]`} — ${decision.reasons.join('; ')}`,
  );
  lines.push(`${targetName}: keep ${plan.keep.length}, drop ${plan.drop.length}`);
  return lines;
}

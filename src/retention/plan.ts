import type { RetentionConfig } from '../config/schema.js';
import { BUCKETS, PERIOD_NAME, periodOf, type Bucket } from './buckets.js';

export type RetentionPolicy = Omit<RetentionConfig, 'afterBackup'>;

/** One set on one target, as retention sees it. */
export interface RetentionCandidate {
  id: string;
  time: Date;
  status: 'complete' | 'partial' | 'unreadable';
  /** Sources with an item in the set. */
  sources: string[];
  /** A verification of this set on this target passed. */
  verified: boolean;
  /** Who is reading it right now (a restore, drill or verify): such a set is never dropped. */
  beingRead?: string | undefined;
}

export interface RetentionDecision {
  id: string;
  time: Date;
  status: RetentionCandidate['status'];
  action: 'keep' | 'drop';
  /** Why, for the person reading the plan: "daily 2026-11-20", "beyond daily 14". */
  reasons: string[];
}

export interface RetentionPlan {
  /** Newest first, one per candidate. */
  decisions: RetentionDecision[];
  keep: string[];
  drop: string[];
}

/** Sets dated further ahead than this are from a host with a wrong clock: kept, never judged. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * Decides which sets to keep, as a pure function of the sets on one target, the policy and
 * the clock. Buckets are restic's, applied per source: a set is kept when any source it
 * holds needs it, so a `drc backup --source app-db` set never pushes out core-db's history.
 *
 * - Only complete sets fill keep-last and the buckets.
 * - A partial set is kept while no complete set holding each of its sources is newer (it is
 *   then the freshest copy of what it holds); after that it is dropped.
 * - The newest complete set of every source is always kept, and so is the newest verified set
 *   when the policy would keep no verified set at all.
 * - Unreadable sets and sets dated in the future are kept and fill no bucket: prune never
 *   deletes what it cannot judge.
 * - A set that a restore, drill or verify is reading is kept, whatever the buckets say.
 */
export function planRetention(candidates: RetentionCandidate[], policy: RetentionPolicy, now: Date): RetentionPlan {
  const sets = [...candidates].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1));
  const keeps = new Map<string, ReasonList>();
  const drops = new Map<string, ReasonList>();
  const note = (map: Map<string, ReasonList>, id: string, reason: string, source?: string) => {
    if (!map.has(id)) map.set(id, new ReasonList());
    map.get(id)!.add(reason, source);
  };

  const future = new Set(sets.filter((set) => set.time.getTime() > now.getTime() + FUTURE_TOLERANCE_MS).map((set) => set.id));
  for (const set of sets) {
    if (set.status === 'unreadable') note(keeps, set.id, 'manifest unreadable, never touched by prune');
    else if (future.has(set.id)) note(keeps, set.id, 'dated in the future (clock of its host?)');
    if (set.beingRead) note(keeps, set.id, set.beingRead);
  }

  // Future-dated sets would push real ones out of every bucket, so they fill none.
  const complete = sets.filter((set) => set.status === 'complete' && !future.has(set.id));
  if (complete.length) note(keeps, complete[0]!.id, 'newest complete set');
  for (const set of complete) if (!set.sources.length) note(drops, set.id, 'holds no items');
  for (const source of sourcesOf(complete)) {
    const history = complete.filter((set) => set.sources.includes(source));
    for (const [id, reason] of keepForSource(history, policy)) note(keeps, id, reason, source);
    for (const [id, reason] of explainDrops(history, policy)) note(drops, id, reason, source);
  }

  for (const set of sets.filter((candidate) => candidate.status === 'partial' && !future.has(candidate.id))) {
    const newerComplete = complete.filter((other) => other.time > set.time);
    const sources = set.sources.length ? set.sources : [undefined];
    for (const source of sources) {
      const superseding = newerComplete.filter((other) => source === undefined || other.sources.includes(source));
      if (superseding.length === 0) note(keeps, set.id, 'partial, the newest copy', source);
      else note(drops, set.id, `partial, superseded by complete set ${superseding[superseding.length - 1]!.id}`, source);
    }
  }

  const verified = sets.filter((set) => set.verified && set.status !== 'unreadable');
  if (verified.length && !verified.some((set) => keeps.has(set.id))) {
    note(keeps, verified[0]!.id, 'newest verified set (the policy would keep no verified set)');
  }

  const decisions = sets.map((set): RetentionDecision => {
    const kept = keeps.get(set.id);
    const reasons = kept ?? drops.get(set.id) ?? new ReasonList();
    return { id: set.id, time: set.time, status: set.status, action: kept ? 'keep' : 'drop', reasons: reasons.format(set.sources) };
  });
  return {
    decisions,
    keep: decisions.filter((decision) => decision.action === 'keep').map((decision) => decision.id),
    drop: decisions.filter((decision) => decision.action === 'drop').map((decision) => decision.id),
  };
}

/** True when the policy keeps anything by rule; an empty policy would drop all but the newest. */
export function hasKeepRule(policy: RetentionPolicy): boolean {
  return Boolean(policy.keepLast) || BUCKETS.some((bucket) => Boolean(policy[bucket]));
}

function sourcesOf(sets: RetentionCandidate[]): string[] {
  return [...new Set(sets.flatMap((set) => set.sources))].sort();
}

/** Restic's rule per bucket: walking newest first, the first set of each new period is kept, up to the count. */
function keepForSource(history: RetentionCandidate[], policy: RetentionPolicy): Array<[string, string]> {
  const kept: Array<[string, string]> = [];
  if (history.length) kept.push([history[0]!.id, 'newest complete set']);
  const keepLast = policy.keepLast ?? 0;
  for (const set of history.slice(0, keepLast)) kept.push([set.id, `keep-last ${keepLast}`]);
  for (const bucket of BUCKETS) {
    let remaining = policy[bucket] ?? 0;
    let lastPeriod: string | undefined;
    for (const set of history) {
      if (remaining === 0) break;
      const period = periodOf(bucket, set.time);
      if (period === lastPeriod) continue;
      lastPeriod = period;
      kept.push([set.id, `${bucket} ${period}`]);
      remaining -= 1;
    }
  }
  return kept;
}

/**
 * The reason a set is not kept, told by the widest configured bucket: either a newer set
 * already stands for its period, or the bucket's count ran out before it.
 */
function explainDrops(history: RetentionCandidate[], policy: RetentionPolicy): Array<[string, string]> {
  const widest = [...BUCKETS].reverse().find((bucket) => policy[bucket]);
  if (!widest) return history.map((set) => [set.id, `beyond keep-last ${policy.keepLast ?? 0}`]);
  return explainBucketDrops(history, widest, policy[widest]!);
}

function explainBucketDrops(history: RetentionCandidate[], bucket: Bucket, count: number): Array<[string, string]> {
  const reasons: Array<[string, string]> = [];
  const claimed = new Map<string, string>();
  for (const set of history) {
    const period = periodOf(bucket, set.time);
    const holder = claimed.get(period);
    if (holder !== undefined) {
      reasons.push([set.id, `${PERIOD_NAME[bucket]} ${period} is kept by a newer set`]);
    } else if (claimed.size < count) {
      claimed.set(period, set.id);
    } else {
      reasons.push([set.id, `beyond ${bucket} ${count}`]);
    }
  }
  return reasons;
}

/** Reasons with the sources they apply to; sources are named only when they differ. */
class ReasonList {
  private readonly entries = new Map<string, Set<string>>();

  add(reason: string, source?: string): void {
    if (!this.entries.has(reason)) this.entries.set(reason, new Set());
    if (source !== undefined) this.entries.get(reason)!.add(source);
  }

  format(setSources: string[]): string[] {
    return [...this.entries].map(([reason, sources]) => {
      const all = sources.size === 0 || setSources.every((source) => sources.has(source));
      return all ? reason : `${reason} (${[...sources].sort().join(', ')})`;
    });
  }
}

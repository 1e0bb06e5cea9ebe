import type { ObjectivesConfig } from '../config/schema.js';
import { detectShrunkItems } from '../notify/shrink.js';
import type { CatalogEntry } from '../sets/catalog.js';
import { formatBytes } from '../util/bytes.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import type { StatusFacts, TargetFacts } from './collect.js';
import { judgePostgresArchive } from '../pitr/postgres/judge-archive.js';
import { describeGap } from '../archive/timeline.js';

export type HealthLevel = 'ok' | 'warning' | 'critical';

export interface HealthCheck {
  level: HealthLevel;
  /** What it is about: "app-db@local", "target offsite", "drill core-db", "verify", "backup". */
  scope: string;
  message: string;
}

export interface SourceAge {
  source: string;
  target: string;
  setId?: string;
  ageMs?: number;
  /** Point-in-time recovery: the age of the newest archived binlog event, the data a restore can reach. */
  archiveLagMs?: number;
}

export interface Thresholds {
  maxAgeMs: number;
  rpoMs: number | undefined;
  drillMaxAgeMs: number;
  verifyMaxAgeMs: number | undefined;
  rtoMs: number | undefined;
}

export interface HealthEvaluation {
  level: HealthLevel;
  checks: HealthCheck[];
  ages: SourceAge[];
  thresholds: Thresholds;
}

/** Nightly backups plus two hours of slack; used when objectives.maxAge is not set. */
export const DEFAULT_MAX_AGE = '26h';
export const DEFAULT_DRILL_MAX_AGE = '35d';

export function resolveThresholds(objectives: ObjectivesConfig | undefined): Thresholds {
  const read = (text: string | undefined) => (text === undefined ? undefined : parseDuration(text));
  return {
    maxAgeMs: read(objectives?.maxAge) ?? parseDuration(DEFAULT_MAX_AGE)!,
    rpoMs: read(objectives?.rpo),
    drillMaxAgeMs: read(objectives?.drillMaxAge) ?? parseDuration(DEFAULT_DRILL_MAX_AGE)!,
    verifyMaxAgeMs: read(objectives?.verifyMaxAge),
    rtoMs: read(objectives?.rto),
  };
}

/**
 * Judges the facts against the objectives, purely. The newest set holding a source is
 * measured against maxAge (warning) and rpo (critical) on every target, since an offsite copy
 * that stopped arriving breaks 3-2-1 as surely as a failed dump. Partial sets count for the
 * sources they hold: their items are whole and checksummed.
 */
export function evaluateHealth(facts: StatusFacts, objectives: ObjectivesConfig | undefined, now: Date): HealthEvaluation {
  const thresholds = resolveThresholds(objectives);
  const checks: HealthCheck[] = [];
  const ages: SourceAge[] = [];
  const add = (level: HealthLevel, scope: string, message: string) => checks.push({ level, scope, message });

  for (const unfinished of facts.unfinishedRestores ?? []) {
    add('critical', `restore ${unfinished.source}`, `an interrupted ${unfinished.kind} of ${unfinished.source} (pid ${unfinished.pid}, ${unfinished.at}) is not settled: "${unfinished.live}" may refuse connections or miss triggers; run drc restore --recover`);
  }
  for (const target of facts.targets) {
    if (target.error !== undefined) {
      add('critical', `target ${target.name}`, `target ${target.name} (${target.location}) unreachable: ${target.error}`);
      continue;
    }
    checkTargetSpace(target, add);
    for (const entry of target.catalog.filter((set) => set.refused)) {
      add('critical', `target ${target.name}`, `${target.name}: set ${entry.id} is REFUSED, ${entry.problem ?? 'not authentic'}; someone may have written to this target`);
    }
    for (const entry of target.catalog.filter((set) => set.status === 'unreadable' && !set.refused)) {
      add('warning', `target ${target.name}`, `${target.name}: set ${entry.id} has an unreadable manifest (${entry.problem ?? 'unknown problem'})`);
    }
    for (const source of facts.sources) {
      const holding = target.catalog.filter((set) => set.manifest?.items.some((item) => item.source === source));
      const scope = `${source}@${target.name}`;
      const newest = holding[0];
      if (!newest) {
        ages.push({ source, target: target.name });
        add('critical', scope, `${source}: no backup on ${target.name}`);
        continue;
      }
      const ageMs = now.getTime() - newest.time.getTime();
      const archiveLagMs = pointInTimeLag(facts, source, newest);
      ages.push({ source, target: target.name, setId: newest.id, ageMs, ...(archiveLagMs !== undefined ? { archiveLagMs } : {}) });
      const age = `${source}: newest set on ${target.name} is ${formatDuration(ageMs)} old`;
      // A pitr source's RPO is its archive's: binlogs here, WAL in judgePostgresArchive.
      const rpoFromWal = facts.pitr?.some((entry) => entry.source === source && entry.archive.newestEventAt);
      // With point-in-time recovery the data a restore reaches is the newest archived event, not the dump.
      if (thresholds.rpoMs !== undefined && (archiveLagMs ?? ageMs) > thresholds.rpoMs && !rpoFromWal) {
        add('critical', scope, archiveLagMs !== undefined ? `${source}: newest archived binlog event is ${formatDuration(archiveLagMs)} old, beyond the RPO of ${formatDuration(thresholds.rpoMs)}` : `${age}, beyond the RPO of ${formatDuration(thresholds.rpoMs)}`);
      }
      else if (ageMs > thresholds.maxAgeMs) add('warning', scope, `${age}, beyond maxAge ${formatDuration(thresholds.maxAgeMs)}`);
      const shrunk = detectShrunkItems(holding[1]?.manifest, newest.manifest!).filter((item) => item.source === source);
      for (const item of shrunk) add('warning', scope, `${item.message} (${target.name})`);
    }
  }

  for (const archive of facts.pitr ?? []) judgePostgresArchive(archive, thresholds.rpoMs, add);
  checkLastBackup(facts, add);
  checkPointInTime(facts, add);
  checkVerifications(facts, thresholds, now, add);
  checkDrills(facts, thresholds, now, add);
  const level: HealthLevel = checks.some((c) => c.level === 'critical') ? 'critical' : checks.some((c) => c.level === 'warning') ? 'warning' : 'ok';
  return { level, checks, ages, thresholds };
}

type Add = (level: HealthLevel, scope: string, message: string) => void;

/** The newest set's item for a source, when it can start a point-in-time restore and binlogs are archived. */
function pointInTimeLag(facts: StatusFacts, source: string, newest: CatalogEntry): number | undefined {
  const item = newest.manifest?.items.find((candidate) => candidate.source === source);
  if (!item?.pitr?.enabled) return undefined;
  return facts.archives.find((archive) => archive.source === source)?.lagMs;
}

/** PITR off (and why), never archived, gaps, a failed last archive run. */
function checkPointInTime(facts: StatusFacts, add: Add): void {
  for (const archive of facts.archives) {
    const scope = `pitr ${archive.source}`;
    const newestItem = facts.targets
      .flatMap((target) => target.catalog)
      .filter((entry) => entry.manifest?.items.some((item) => item.source === archive.source))
      .sort((a, b) => b.time.getTime() - a.time.getTime())[0]
      ?.manifest?.items.find((item) => item.source === archive.source);
    const pitr = newestItem?.pitr;
    if (pitr && !pitr.enabled) {
      add('ok', scope, `${archive.source}: point-in-time recovery is OFF: ${pitr.reason ?? 'no binlog coordinates'}`);
      continue;
    }
    for (const gap of archive.gaps) add('critical', scope, `${archive.source}: archive gap: ${describeGap(gap)}; no restore can cross it`);
    for (const problem of archive.problems) add('warning', scope, `${archive.source}: archive: ${problem}`);
    if (!pitr?.enabled) continue;
    if (!archive.files) {
      add('warning', scope, `${archive.source}: binlogs are on but none is archived: schedule "drc archive --once" (drc schedule install)`);
      continue;
    }
    add('ok', scope, `${archive.source}: point-in-time recovery on, ${archive.files} binlog(s) archived, newest event ${formatDuration(archive.lagMs ?? 0)} ago`);
    const lastRun = facts.archiveRuns.filter((record) => record.source === archive.source).at(-1);
    if (lastRun && !lastRun.ok && !lastRun.gaps.length) add('warning', scope, `${archive.source}: last archive run at ${lastRun.at} failed: ${lastRun.error ?? 'no detail'}`);
  }
}

/** The bytes of the newest readable set: what the next backup will need, roughly. */
export function lastSetBytes(catalog: CatalogEntry[]): number | undefined {
  const newest = catalog.find((set) => set.manifest);
  return newest?.manifest?.items.reduce((sum, item) => sum + item.storedBytes, 0);
}

function checkTargetSpace(target: TargetFacts, add: Add): void {
  const needed = lastSetBytes(target.catalog);
  if (!target.free || needed === undefined) return;
  const free = target.free.bytes;
  const text = `${target.name}: ${formatBytes(free)} free (${target.free.source}), the last set took ${formatBytes(needed)}`;
  if (free < needed) add('critical', `target ${target.name}`, `${text}: the next backup will not fit`);
  else if (free < needed * 2) add('warning', `target ${target.name}`, `${text}: room for one more set at most`);
}

function checkLastBackup(facts: StatusFacts, add: Add): void {
  // A refused run (another was already running) says nothing about the data's health.
  const last = facts.backups.filter((record) => record.status !== 'refused').at(-1);
  if (!last || last.status === 'complete') return;
  const failedSources = last.sources.filter((source) => !source.ok).map((source) => `${source.source}${source.error ? ` (${source.error})` : ''}`);
  const failedTargets = last.targets.filter((target) => !target.ok).map((target) => `${target.target}${target.error ? ` (${target.error})` : ''}`);
  const detail = [...failedSources, ...failedTargets].join(', ');
  add(last.status === 'failed' ? 'critical' : 'warning', 'backup', `last backup at ${last.at} ${last.status === 'failed' ? 'failed' : 'was partial'}${detail ? `: ${detail}` : ''}`);
}

function checkVerifications(facts: StatusFacts, thresholds: Thresholds, now: Date, add: Add): void {
  const latestPerTarget = new Map(facts.verifies.map((record) => [record.target, record]));
  for (const record of latestPerTarget.values()) {
    if (!record.ok) {
      add('critical', 'verify', `verification of ${record.setId} on ${record.target} failed at ${record.at}: ${record.problems.slice(0, 3).join('; ') || 'no detail'}`);
    }
  }
  const newestOk = facts.verifies.filter((record) => record.ok).at(-1);
  if (thresholds.verifyMaxAgeMs === undefined) return;
  const age = newestOk ? now.getTime() - Date.parse(newestOk.at) : undefined;
  if (age === undefined) add('warning', 'verify', 'no verification has passed yet (run "drc verify latest")');
  else if (age > thresholds.verifyMaxAgeMs) add('warning', 'verify', `last passed verification is ${formatDuration(age)} old, beyond ${formatDuration(thresholds.verifyMaxAgeMs)}`);
}

function checkDrills(facts: StatusFacts, thresholds: Thresholds, now: Date, add: Add): void {
  if (facts.drills.length === 0) {
    add('warning', 'drill', 'no restore drill has run yet: a backup that was never restored is a hope, not a backup (run "drc drill")');
    return;
  }
  const latestPerSource = new Map(facts.drills.map((record) => [record.source, record]));
  for (const record of latestPerSource.values()) {
    const scope = `drill ${record.source}`;
    if (!record.ok) {
      add('critical', scope, `restore drill of ${record.source} at ${record.at} failed: ${record.problems.slice(0, 3).join('; ') || 'no detail'}`);
      continue;
    }
    const objective = record.objectives.rtoMs ?? thresholds.rtoMs;
    if (record.rtoMs !== undefined && objective !== undefined && record.rtoMs > objective) {
      add('warning', scope, `restore drill of ${record.source} took ${formatDuration(record.rtoMs)}, beyond the RTO of ${formatDuration(objective)}`);
    }
  }
  const newest = Math.max(...facts.drills.map((record) => Date.parse(record.at)));
  const age = now.getTime() - newest;
  if (age > thresholds.drillMaxAgeMs) add('warning', 'drill', `last restore drill is ${formatDuration(age)} old, beyond ${formatDuration(thresholds.drillMaxAgeMs)}`);
}

import { EXIT, type ExitCode } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import { formatDuration } from '../util/duration.js';
import type { StatusFacts } from './collect.js';
import { lastSetBytes, type HealthEvaluation, type HealthLevel } from './evaluate.js';

/** The one object `drc status --json` prints and status.json keeps. */
export interface StatusReport {
  level: HealthLevel;
  exitCode: ExitCode;
  at: string;
  /** The Nagios line: "DRC OK - 3 sources, 2 targets, newest set 2h 0m ago | age_app-db=…". */
  summary: string;
  checks: HealthEvaluation['checks'];
  sources: Array<{ source: string; target: string; newestSet: string | null; ageSeconds: number | null; archiveLagSeconds: number | null }>;
  targets: Array<{ target: string; type: string; location: string; reachable: boolean; sets: number; freeBytes: number | null; freeSource: string | null; lastSetBytes: number | null }>;
  lastVerify: { at: string; setId: string; target: string; ok: boolean; ageSeconds: number } | null;
  drills: Array<{ source: string; at: string; ok: boolean; ageSeconds: number; rtoSeconds: number | null; setId: string | null }>;
}

const LEVEL_EXIT: Record<HealthLevel, ExitCode> = { ok: EXIT.ok, warning: EXIT.warning, critical: EXIT.critical };

export function buildStatusReport(facts: StatusFacts, evaluation: HealthEvaluation, now: Date): StatusReport {
  const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));
  const lastVerify = facts.verifies.at(-1);
  const latestDrills = [...new Map(facts.drills.map((record) => [record.source, record])).values()];
  const report: Omit<StatusReport, 'summary'> = {
    level: evaluation.level,
    exitCode: LEVEL_EXIT[evaluation.level],
    at: now.toISOString(),
    checks: evaluation.checks,
    sources: evaluation.ages.map((age) => ({
      source: age.source,
      target: age.target,
      newestSet: age.setId ?? null,
      ageSeconds: age.ageMs === undefined ? null : seconds(age.ageMs),
      archiveLagSeconds: age.archiveLagMs === undefined ? null : seconds(age.archiveLagMs),
    })),
    targets: facts.targets.map((target) => ({
      target: target.name,
      type: target.type,
      location: target.location,
      reachable: target.error === undefined,
      sets: target.catalog.length,
      freeBytes: target.free?.bytes ?? null,
      freeSource: target.free?.source ?? null,
      lastSetBytes: lastSetBytes(target.catalog) ?? null,
    })),
    lastVerify: lastVerify
      ? { at: lastVerify.at, setId: lastVerify.setId, target: lastVerify.target, ok: lastVerify.ok, ageSeconds: seconds(now.getTime() - Date.parse(lastVerify.at)) }
      : null,
    drills: latestDrills.map((record) => ({
      source: record.source,
      at: record.at,
      ok: record.ok,
      ageSeconds: seconds(now.getTime() - Date.parse(record.at)),
      rtoSeconds: record.rtoMs === undefined ? null : record.rtoMs / 1000,
      setId: record.setId ?? null,
    })),
  };
  return { ...report, summary: formatSummaryLine(report, evaluation) };
}

/**
 * Nagios plugin output: "DRC <STATE> - <text> | <perfdata>". Ages use warn;crit upper bounds,
 * free space uses "N:" ranges (alert when below N), as the plugin guidelines define them.
 */
function formatSummaryLine(report: Omit<StatusReport, 'summary'>, evaluation: HealthEvaluation): string {
  const state = report.level.toUpperCase();
  let text: string;
  if (report.level === 'ok') {
    const ages = report.sources.map((source) => source.ageSeconds).filter((age): age is number => age !== null);
    const newest = ages.length ? `, newest set ${formatDuration(Math.min(...ages) * 1000)} ago` : '';
    text = `${count(new Set(report.sources.map((s) => s.source)).size, 'source')}, ${count(report.targets.length, 'target')}${newest}`;
  } else {
    const worst = evaluation.checks.filter((check) => check.level === report.level);
    const others = evaluation.checks.length - 1;
    text = `${worst[0]!.message}${others > 0 ? ` (+${others} more)` : ''}`;
  }
  return `DRC ${state} - ${text.replace(/\|/g, '/')} | ${formatPerfData(report, evaluation).join(' ')}`;
}

function formatPerfData(report: Omit<StatusReport, 'summary'>, evaluation: HealthEvaluation): string[] {
  const { maxAgeMs, rpoMs } = evaluation.thresholds;
  const warn = Math.round(maxAgeMs / 1000);
  const crit = rpoMs === undefined ? '' : String(Math.round(rpoMs / 1000));
  const perf: string[] = [];
  for (const source of new Set(report.sources.map((entry) => entry.source))) {
    // The worst target decides: an offsite copy that stopped arriving is what must alert.
    const ages = report.sources.filter((entry) => entry.source === source).map((entry) => entry.ageSeconds);
    const value = ages.some((age) => age === null) ? 'U' : `${Math.max(...(ages as number[]))}s`;
    perf.push(`age_${source}=${value};${warn};${crit}`);
    const lag = report.sources.find((entry) => entry.source === source && entry.archiveLagSeconds !== null)?.archiveLagSeconds;
    if (lag !== undefined && lag !== null) perf.push(`rpo_${source}=${lag}s;;${crit}`);
  }
  for (const target of report.targets) {
    if (target.freeBytes === null) continue;
    const last = target.lastSetBytes;
    perf.push(`free_${target.target}=${target.freeBytes}B;${last === null ? '' : `${last * 2}:`};${last === null ? '' : `${last}:`};0`);
  }
  for (const drill of report.drills) {
    if (drill.rtoSeconds !== null) perf.push(`drill_rto_${drill.source}=${drill.rtoSeconds}s`);
  }
  return perf;
}

/** The lines after the summary: Nagios long output, and what a person reads at the terminal. */
export function formatStatusDetails(report: StatusReport): string[] {
  const lines = report.checks.map((check) => `${check.level.toUpperCase()}: ${check.message}`);
  for (const entry of report.sources) {
    const rpo = entry.archiveLagSeconds === null ? '' : `; point in time: newest archived binlog event ${formatDuration(entry.archiveLagSeconds * 1000)} ago`;
    lines.push(`${entry.source}@${entry.target}: ${entry.newestSet ? `${entry.newestSet}, ${formatDuration((entry.ageSeconds ?? 0) * 1000)} old` : 'no set'}${rpo}`);
  }
  for (const target of report.targets) {
    const free = target.freeBytes === null ? '' : `, ${formatBytes(target.freeBytes)} free (${target.freeSource})`;
    lines.push(`target ${target.target} (${target.location}): ${target.reachable ? `${target.sets} set(s)${free}` : 'unreachable'}`);
  }
  const verify = report.lastVerify;
  lines.push(verify ? `last verify: ${verify.ok ? 'passed' : 'FAILED'} ${formatDuration(verify.ageSeconds * 1000)} ago (${verify.setId} on ${verify.target})` : 'last verify: never');
  if (report.drills.length === 0) lines.push('last drill: never');
  for (const drill of report.drills) {
    const rto = drill.rtoSeconds === null ? '' : `, RTO ${formatDuration(drill.rtoSeconds * 1000)}`;
    lines.push(`last drill of ${drill.source}: ${drill.ok ? 'passed' : 'FAILED'} ${formatDuration(drill.ageSeconds * 1000)} ago${rto}`);
  }
  return lines;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

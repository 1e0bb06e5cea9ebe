import type { ObjectivesConfig } from '../config/schema.js';
import { redact } from '../config/secrets.js';
import { EXIT, errorMessage, type ExitCode } from '../errors.js';
import { resolveThresholds, type HealthLevel } from '../health/evaluate.js';
import type { Manifest } from '../sets/manifest.js';
import { parseSetId } from '../sets/set-id.js';
import type { Target } from '../storage/types.js';
import { formatBytes } from '../util/bytes.js';
import { formatDuration } from '../util/duration.js';
import { readDrillSummary, type DrillSummary } from './drill-record.js';
import { findNewestSet, listHostSets } from './hosts.js';

/** What one target says about one host: gathered with one listing and a few small reads. */
export interface HostFacts {
  host: string;
  target: string;
  setCount: number;
  newestId?: string;
  manifest?: Manifest;
  problem?: string;
  incompleteNewer: string[];
  drill?: DrillSummary;
}

export interface FleetFacts {
  hosts: HostFacts[];
  unreachable: Array<{ target: string; error: string }>;
}

export interface HostHealth {
  host: string;
  level: HealthLevel;
  line: string;
  reasons: string[];
  newestSet?: string;
  ageMs?: number;
  storedBytes?: number;
  setCount: number;
  targets: string[];
  lastDrill?: { at: string; ok: boolean; scope: string };
}

/**
 * Every host that backs up under the targets: a delimiter listing per target (one request per
 * thousand sets), then per host only its newest manifest and its drill record.
 */
export async function collectFleetFacts(targets: Target[]): Promise<FleetFacts> {
  const facts: FleetFacts = { hosts: [], unreachable: [] };
  for (const target of targets) {
    try {
      for (const [host, ids] of await listHostSets(target)) {
        const newest = await findNewestSet(target, ids);
        const drill = await readDrillSummary(target, host);
        facts.hosts.push({
          host,
          target: target.name,
          setCount: ids.length,
          incompleteNewer: newest?.incompleteNewer ?? ids,
          ...(newest ? { newestId: newest.id } : {}),
          ...(newest?.manifest ? { manifest: newest.manifest } : {}),
          ...(newest?.problem ? { problem: newest.problem } : {}),
          ...(drill ? { drill } : {}),
        });
      }
    } catch (error) {
      facts.unreachable.push({ target: target.name, error: redact(errorMessage(error)) });
    }
  }
  return facts;
}

/**
 * Judges each host, purely: its newest set across targets against maxAge (warning) and rpo
 * (critical), a partial newest set (critical: a source failed), an unreadable manifest, and
 * its last drill (missing or older than drillMaxAge: warning; failed: critical).
 */
export function evaluateFleet(facts: FleetFacts, objectives: ObjectivesConfig | undefined, now: Date): { level: HealthLevel; exitCode: ExitCode; hosts: HostHealth[]; summary: string } {
  const thresholds = resolveThresholds(objectives);
  const byHost = new Map<string, HostFacts[]>();
  for (const fact of facts.hosts) byHost.set(fact.host, [...(byHost.get(fact.host) ?? []), fact]);
  const hosts: HostHealth[] = [];
  for (const [host, perTarget] of [...byHost.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const withSet = perTarget.filter((fact) => fact.newestId).sort((a, b) => (a.newestId! < b.newestId! ? 1 : -1));
    const best = withSet[0];
    const reasons: Array<[HealthLevel, string]> = [];
    const health: HostHealth = { host, level: 'ok', line: '', reasons: [], setCount: Math.max(...perTarget.map((fact) => fact.setCount)), targets: perTarget.map((fact) => fact.target) };
    if (!best) {
      reasons.push(['critical', `no set with a manifest (${perTarget[0]!.setCount} incomplete folder(s))`]);
    } else {
      health.newestSet = best.newestId!;
      health.ageMs = now.getTime() - parseSetId(best.newestId!)!.time.getTime();
      if (best.problem || !best.manifest) {
        reasons.push(['warning', `newest set ${best.newestId} is unreadable: ${best.problem ?? 'no manifest'}`]);
      } else {
        health.storedBytes = best.manifest.items.reduce((sum, item) => sum + item.storedBytes, 0);
        if (best.manifest.status === 'partial') {
          reasons.push(['critical', `newest set is PARTIAL: ${best.manifest.failures.map((failure) => failure.source).join(', ') || 'a source'} failed`]);
        }
      }
      const age = `newest set ${formatDuration(health.ageMs)} old`;
      if (thresholds.rpoMs !== undefined && health.ageMs > thresholds.rpoMs) reasons.push(['critical', `${age}, beyond the RPO of ${formatDuration(thresholds.rpoMs)}`]);
      else if (health.ageMs > thresholds.maxAgeMs) reasons.push(['warning', `${age}, beyond maxAge ${formatDuration(thresholds.maxAgeMs)}`]);
    }
    const drill = perTarget.map((fact) => fact.drill).filter((entry): entry is DrillSummary => Boolean(entry)).sort((a, b) => (a.at < b.at ? 1 : -1))[0];
    if (!drill) reasons.push(['warning', 'never drilled']);
    else {
      health.lastDrill = { at: drill.at, ok: drill.ok, scope: drill.scope };
      const drillAge = now.getTime() - Date.parse(drill.at);
      if (!drill.ok) reasons.push(['critical', `last drill FAILED ${formatDuration(drillAge)} ago`]);
      else if (drillAge > thresholds.drillMaxAgeMs) reasons.push(['warning', `last drill ${formatDuration(drillAge)} old, beyond ${formatDuration(thresholds.drillMaxAgeMs)}`]);
    }
    health.level = reasons.some(([level]) => level === 'critical') ? 'critical' : reasons.some(([level]) => level === 'warning') ? 'warning' : 'ok';
    health.reasons = reasons.map(([, text]) => text);
    health.line = describeHost(health, now);
    hosts.push(health);
  }
  for (const unreachable of facts.unreachable) hosts.push({ host: `(target ${unreachable.target})`, level: 'critical', line: `target ${unreachable.target} CRITICAL unreachable: ${unreachable.error}`, reasons: [unreachable.error], setCount: 0, targets: [unreachable.target] });
  const count = (level: HealthLevel) => hosts.filter((host) => host.level === level).length;
  const level: HealthLevel = count('critical') ? 'critical' : count('warning') ? 'warning' : 'ok';
  const exitCode = level === 'critical' ? EXIT.critical : level === 'warning' ? EXIT.warning : EXIT.ok;
  const perf = hosts.filter((host) => host.ageMs !== undefined).map((host) => `age_${host.host}=${Math.round(host.ageMs! / 1000)}s`);
  const summary = `DRC ${level.toUpperCase()} - ${hosts.length} host(s): ${count('ok')} ok, ${count('warning')} warning, ${count('critical')} critical${perf.length ? ` | ${perf.join(' ')}` : ''}`;
  return { level, exitCode, hosts, summary };
}

function describeHost(health: HostHealth, now: Date): string {
  const parts = [health.host, health.level.toUpperCase()];
  if (health.newestSet) parts.push(`newest ${health.newestSet}`, `${formatDuration(health.ageMs!)} old`);
  if (health.storedBytes !== undefined) parts.push(formatBytes(health.storedBytes));
  parts.push(`${health.setCount} set folder(s) on ${health.targets.join(', ')}`);
  parts.push(health.lastDrill ? `last drill ${health.lastDrill.ok ? 'passed' : 'FAILED'} ${formatDuration(now.getTime() - Date.parse(health.lastDrill.at))} ago (${health.lastDrill.scope})` : 'never drilled');
  const line = parts.join('  ');
  return health.reasons.length ? `${line}  — ${health.reasons.join('; ')}` : line;
}

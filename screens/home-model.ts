import type { StatusReport } from '../src/health/report.js';
import type { HealthLevel } from '../src/health/evaluate.js';
import type { IncidentState } from '../src/incidents/reducer.js';

/** One line of the health table: the newest copy of a source on its freshest target. */
export interface SourceRow {
  source: string;
  level: HealthLevel;
  setId: string | undefined;
  target: string | undefined;
  ageMs: number | undefined;
  /** Point-in-time recovery: age of the newest archived binlog event (the real RPO), when archived. */
  rpoMs: number | undefined;
  /** Targets with no copy of this source at all. */
  missingOn: string[];
  drill: { ok: boolean; ageMs: number; rtoMs: number | undefined } | undefined;
}

export interface OpenIncident {
  id: string;
  title: string;
  startedAt: string;
  done: number;
  total: number;
  nextStep: string | undefined;
}

/**
 * The home screen's view of a status report: per source the level of its worst check, its
 * freshest set and its latest drill. Pure, so the table reads the same as `drc status`.
 */
export function buildSourceRows(report: StatusReport): SourceRow[] {
  const names = [...new Set(report.sources.map((entry) => entry.source))];
  return names.map((source) => {
    const copies = report.sources.filter((entry) => entry.source === source);
    const present = copies.filter((entry) => entry.ageSeconds !== null).sort((a, b) => a.ageSeconds! - b.ageSeconds!);
    const newest = present[0];
    const drill = report.drills.find((entry) => entry.source === source);
    return {
      source,
      level: worstLevel(report, source),
      setId: newest?.newestSet ?? undefined,
      target: newest?.target,
      ageMs: newest ? newest.ageSeconds! * 1000 : undefined,
      rpoMs: archiveLagMs(copies),
      missingOn: copies.filter((entry) => entry.ageSeconds === null).map((entry) => entry.target),
      drill: drill ? { ok: drill.ok, ageMs: drill.ageSeconds * 1000, rtoMs: drill.rtoSeconds === null ? undefined : drill.rtoSeconds * 1000 } : undefined,
    };
  });
}

function archiveLagMs(copies: StatusReport['sources']): number | undefined {
  const lag = copies.map((entry) => entry.archiveLagSeconds).find((value): value is number => typeof value === 'number');
  return lag === undefined ? undefined : lag * 1000;
}

function worstLevel(report: StatusReport, source: string): HealthLevel {
  const levels = report.checks
    .filter((check) => check.scope.startsWith(`${source}@`) || check.scope === `drill ${source}` || check.scope === `pitr ${source}`)
    .map((check) => check.level);
  if (levels.includes('critical')) return 'critical';
  if (levels.includes('warning')) return 'warning';
  return 'ok';
}

export function describeOpenIncident(state: IncidentState): OpenIncident {
  const done = state.steps.filter((step) => step.status === 'done' || step.status === 'skipped').length;
  return {
    id: state.id,
    title: state.start.playbook.title,
    startedAt: state.startedAt,
    done,
    total: state.steps.length,
    nextStep: state.nextStep === undefined ? undefined : state.steps[state.nextStep]?.title,
  };
}

import type { ArchiveSummary } from '../archive/status.js';
import type { CatalogEntry } from '../sets/catalog.js';
import { readHistory, type BackupRecord, type DrillRecord } from '../state/history.js';
import { writeFileAtomic } from './write-atomic.js';

/** What `--metrics FILE` exports; every part is optional so each command writes what it knows. */
export interface MetricsData {
  newestSets?: Array<{ source: string; target: string; time: Date; storedBytes: number }>;
  lastBackup?: BackupRecord;
  /** The latest drill per source. */
  drills?: DrillRecord[];
  status?: { level: 'ok' | 'warning' | 'critical' };
  /** The point-in-time archive per MySQL/MariaDB source. */
  archives?: ArchiveSummary[];
}

type Labels = Record<string, string>;
interface Family {
  name: string;
  help: string;
  samples: Array<{ labels: Labels; value: number }>;
}

/**
 * Reads what the metrics need from the state folder and the catalogs a command already
 * loaded (the entries of every target, newest first per target).
 */
export async function gatherMetricsData(stateDir: string, catalog: CatalogEntry[]): Promise<MetricsData> {
  const newest = new Map<string, { source: string; target: string; time: Date; storedBytes: number }>();
  for (const entry of catalog) {
    for (const item of entry.manifest?.items ?? []) {
      const key = `${entry.target}\0${item.source}`;
      const known = newest.get(key);
      if (!known || known.time < entry.time) newest.set(key, { source: item.source, target: entry.target, time: entry.time, storedBytes: item.storedBytes });
    }
  }
  const backups = await readHistory(stateDir, 'backup');
  const drills = await readHistory(stateDir, 'drill');
  return {
    newestSets: [...newest.values()],
    ...(backups.length ? { lastBackup: backups[backups.length - 1]! } : {}),
    drills: [...new Map(drills.map((record) => [record.source, record])).values()],
  };
}

/** Prometheus text exposition format, for node_exporter's textfile collector. */
export function renderMetrics(data: MetricsData): string {
  const families: Family[] = [];
  const family = (name: string, help: string, samples: Family['samples']) => {
    if (samples.length) families.push({ name, help, samples });
  };
  const sets = data.newestSets ?? [];
  family('drc_newest_set_timestamp_seconds', 'Start time of the newest set holding the source, per target.', sets.map((set) => ({ labels: { source: set.source, target: set.target }, value: set.time.getTime() / 1000 })));
  family('drc_newest_set_bytes', 'Stored bytes of the source item in the newest set, per target.', sets.map((set) => ({ labels: { source: set.source, target: set.target }, value: set.storedBytes })));
  const backup = data.lastBackup;
  if (backup) {
    family('drc_last_backup_timestamp_seconds', 'When the last backup run started.', [{ labels: {}, value: Date.parse(backup.at) / 1000 }]);
    family('drc_last_backup_duration_seconds', 'How long the last backup run took.', [{ labels: {}, value: backup.durationMs / 1000 }]);
    family('drc_last_backup_exit_code', 'Exit code of the last backup run (0 ok, 1 warning, 2 failed).', [{ labels: {}, value: backup.exitCode }]);
    family(
      'drc_last_backup_bytes',
      'Stored bytes per source in the last backup run.',
      backup.sources.filter((source) => source.storedBytes !== undefined).map((source) => ({ labels: { source: source.source }, value: source.storedBytes! })),
    );
  }
  const drills = data.drills ?? [];
  family('drc_drill_timestamp_seconds', 'When the last restore drill of the source ran.', drills.map((drill) => ({ labels: { source: drill.source }, value: Date.parse(drill.at) / 1000 })));
  family('drc_drill_success', 'Whether the last restore drill of the source passed (1) or failed (0).', drills.map((drill) => ({ labels: { source: drill.source }, value: drill.ok ? 1 : 0 })));
  family('drc_drill_rto_seconds', 'Achieved RTO of the last restore drill.', drills.filter((drill) => drill.rtoMs !== undefined).map((drill) => ({ labels: { source: drill.source }, value: drill.rtoMs! / 1000 })));
  family('drc_drill_rpo_seconds', 'Achieved RPO of the last restore drill (age of the restored set).', drills.filter((drill) => drill.rpoMs !== undefined).map((drill) => ({ labels: { source: drill.source }, value: drill.rpoMs! / 1000 })));
  const archives = (data.archives ?? []).filter((archive) => archive.files > 0);
  family('drc_archive_newest_event_timestamp_seconds', 'Newest archived binlog event: the point a point-in-time restore reaches (RPO = now - this).', archives.filter((a) => a.newestEventAt).map((a) => ({ labels: { source: a.source }, value: Date.parse(a.newestEventAt!) / 1000 })));
  family('drc_archive_files', 'Archived binlog files of the source.', archives.map((a) => ({ labels: { source: a.source }, value: a.files })));
  family('drc_archive_gaps', 'Gaps in the archive (purged before archived); any is critical.', archives.map((a) => ({ labels: { source: a.source }, value: a.gaps.length })));
  if (data.status) {
    family('drc_status', 'drc status level: 0 ok, 1 warning, 2 critical.', [{ labels: {}, value: { ok: 0, warning: 1, critical: 2 }[data.status.level] }]);
  }
  return families
    .map((entry) =>
      [`# HELP ${entry.name} ${entry.help}`, `# TYPE ${entry.name} gauge`, ...entry.samples.map((sample) => `${entry.name}${formatLabels(sample.labels)} ${sample.value}`)].join('\n'),
    )
    .join('\n') + '\n';
}

/** Writes the metrics atomically, so the collector never scrapes a half-written file. */
export async function writeMetrics(file: string, data: MetricsData): Promise<void> {
  await writeFileAtomic(file, renderMetrics(data));
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

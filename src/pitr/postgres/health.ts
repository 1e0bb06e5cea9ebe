import type { Config } from '../../config/schema.js';
import { errorMessage } from '../../errors.js';
import { loadArchiveTimeline } from '../../archive/timeline.js';
import { summarizeArchive, type ArchiveSummary } from '../../archive/status.js';
import { parsePostgresUrl } from '../../sources/db-url.js';
import { connectPostgres } from '../../sources/postgres.js';
import type { CatalogEntry } from '../../sets/catalog.js';
import type { Target } from '../../storage/types.js';
import { listBaseBackups, isPitrSource } from './schedule.js';

/** What the server itself says about archiving (pg_settings, pg_stat_archiver). */
export interface ArchiverState {
  archiveMode: string;
  archiveCommand: string;
  /** Seconds; 0 = off. */
  archiveTimeout: number;
  failedCount: number;
  lastFailedWal: string | null;
  lastFailedAt: string | null;
  lastArchivedWal: string | null;
  lastArchivedAt: string | null;
  /** The WAL file being written now. */
  currentWal: string;
  walSegmentBytes: number;
}

export interface PostgresArchiveFacts {
  source: string;
  archive: ArchiveSummary;
  /** undefined when the server could not be asked (error says why). */
  server?: ArchiverState;
  serverError?: string;
  /** The oldest kept base backup's first WAL file needed ("00000001/…"), when there is one. */
  oldestBaseWal?: string;
}

/** For every pitr source: the archive as the targets hold it, and the server's own archiver state. */
export async function collectPostgresArchiveFacts(config: Config, targets: Target[], catalog: CatalogEntry[]): Promise<PostgresArchiveFacts[]> {
  const facts: PostgresArchiveFacts[] = [];
  for (const source of config.sources.filter(isPitrSource)) {
    const timeline = await loadArchiveTimeline(targets, source.name);
    const bases = listBaseBackups(catalog, source.name);
    const oldest = bases[bases.length - 1]?.item.baseBackup;
    const found: PostgresArchiveFacts = {
      source: source.name,
      archive: summarizeArchive({ ...timeline, gaps: timeline.gaps }, new Date()),
      ...(oldest ? { oldestBaseWal: `${oldest.startWal.slice(0, 8)}/${oldest.stopWal}` } : {}),
    };
    try {
      found.server = await readArchiverState(config, source.name);
    } catch (error) {
      found.serverError = errorMessage(error);
    }
    facts.push(found);
  }
  return facts;
}

async function readArchiverState(config: Config, name: string): Promise<ArchiverState> {
  const source = config.sources.find((entry) => entry.name === name);
  if (source?.type !== 'postgres') throw new Error(`source ${name} is not PostgreSQL`);
  const client = await connectPostgres(parsePostgresUrl(source), `source ${name}`);
  try {
    const { rows } = await client.query<Record<string, string | null>>(
      `SELECT current_setting('archive_mode') AS mode, current_setting('archive_command') AS command,
              (SELECT setting FROM pg_settings WHERE name = 'archive_timeout') AS timeout,
              (SELECT setting FROM pg_settings WHERE name = 'wal_segment_size') AS segment,
              failed_count::text AS failed, last_failed_wal, last_failed_time::text AS failed_at,
              last_archived_wal, last_archived_time::text AS archived_at,
              CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_walfile_name(pg_current_wal_lsn()) END AS current
         FROM pg_stat_archiver`,
    );
    const row = rows[0]!;
    return {
      archiveMode: row.mode ?? 'off',
      archiveCommand: row.command ?? '',
      archiveTimeout: Number(row.timeout ?? 0),
      failedCount: Number(row.failed ?? 0),
      lastFailedWal: row.last_failed_wal ?? null,
      lastFailedAt: row.failed_at ?? null,
      lastArchivedWal: row.last_archived_wal ?? null,
      lastArchivedAt: row.archived_at ?? null,
      currentWal: row.current ?? '',
      walSegmentBytes: Number(row.segment ?? 16777216),
    };
  } finally {
    await client.end().catch(() => {});
  }
}

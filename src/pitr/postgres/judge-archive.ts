import { formatDuration } from '../../util/duration.js';
import type { PostgresArchiveFacts } from './health.js';
import { segmentNumber } from './wal-names.js';

type Add = (level: 'ok' | 'warning' | 'critical', scope: string, message: string) => void;

/**
 * Pure: the archive's RPO (newest archived segment) against the objective, gaps after the oldest
 * kept base backup, and what the server says: not archiving, no archive_timeout, failures,
 * finished segments waiting.
 */
export function judgePostgresArchive(facts: PostgresArchiveFacts, rpoMs: number | undefined, add: Add): void {
  const scope = `archive ${facts.source}`;
  const { archive, server } = facts;
  if (server && (server.archiveMode === 'off' || !/\bdrc\b.*\bwal push\b/.test(server.archiveCommand))) {
    add('critical', scope, `${facts.source}: the server does not archive WAL with drc (archive_mode = ${server.archiveMode}, archive_command = ${JSON.stringify(server.archiveCommand)}); point-in-time recovery has nothing to replay`);
  }
  if (facts.serverError) add('warning', scope, `${facts.source}: cannot ask the server about archiving (${facts.serverError})`);
  if (!archive.newestEventAt) {
    add('critical', scope, `${facts.source}: no WAL archived yet`);
  } else if (rpoMs !== undefined && (archive.lagMs ?? 0) > rpoMs) {
    add('critical', scope, `${facts.source}: newest archived WAL is ${formatDuration(archive.lagMs ?? 0)} old, beyond the RPO of ${formatDuration(rpoMs)}`);
  }
  const oldestStream = facts.oldestBaseWal?.slice(0, 8);
  for (const gap of archive.gaps) {
    if (oldestStream && gap.stream === oldestStream && facts.oldestBaseWal && gap.before <= facts.oldestBaseWal) continue;
    add('critical', scope, `${facts.source}: WAL gap: ${gap.missing} segment(s) missing between ${gap.after} and ${gap.before}; no recovery can cross it`);
  }
  if (!server) return;
  if (server.archiveTimeout === 0) {
    add('warning', scope, `${facts.source}: archive_timeout is not set: on a quiet server the newest changes stay unarchived until a 16 MB segment fills (set archive_timeout = '60s')`);
  }
  if (server.failedCount > 0 && (!server.lastArchivedAt || (server.lastFailedAt ?? '') > server.lastArchivedAt)) {
    add('critical', scope, `${facts.source}: archive_command is failing (pg_stat_archiver: ${server.failedCount} failure(s), last ${server.lastFailedWal ?? '?'} at ${server.lastFailedAt ?? '?'}); see the server log`);
  } else if (server.failedCount > 0) {
    add('warning', scope, `${facts.source}: archive_command failed ${server.failedCount} time(s) since the statistics were reset (it recovered; last failure ${server.lastFailedAt ?? '?'})`);
  }
  if (server.currentWal && server.lastArchivedWal && /^[0-9A-F]{24}$/.test(server.lastArchivedWal)) {
    const waiting = segmentNumber(server.currentWal, server.walSegmentBytes) - segmentNumber(server.lastArchivedWal, server.walSegmentBytes) - 1n;
    if (waiting > 0n) add('warning', scope, `${facts.source}: archiving stalled: ${waiting} finished segment(s) wait to be archived (last archived ${server.lastArchivedWal} at ${server.lastArchivedAt ?? '?'})`);
  }
}

import { chown, mkdir, readdir } from 'node:fs/promises';
import { lookupUser, startPgCluster, type PgCluster } from '../../src/demo/postgres-cluster.js';

/**
 * A throwaway PostgreSQL 15 cluster with WAL archiving on (never the machine's own server).
 * `archiveCommand` gets %p/%f from PostgreSQL; archive_timeout stays off so tests decide when
 * a segment is complete (pg_switch_wal()).
 */
export async function startArchivingCluster(dir: string, archiveCommand: string): Promise<PgCluster> {
  return startPgCluster(dir, ['wal_level = replica', 'archive_mode = on', `archive_command = '${archiveCommand.replace(/'/g, "''")}'`, 'max_wal_senders = 4']);
}

/** A folder the postgres user may write (archive_command runs as postgres). */
export async function makePostgresFolder(folder: string): Promise<string> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) {
    const { uid, gid } = await lookupUser('postgres');
    await chown(folder, uid, gid);
  }
  return folder;
}

/** The WAL file names the server has archived so far (pg_stat_archiver.last_archived_wal). */
export async function lastArchived(cluster: PgCluster): Promise<string> {
  return cluster.psql('postgres', 'SELECT coalesce(last_archived_wal, \'\') FROM pg_stat_archiver');
}

/** Ends the current WAL segment and waits until the server reports it archived. */
export async function switchAndWaitArchived(cluster: PgCluster): Promise<string> {
  const segment = await cluster.psql('postgres', 'SELECT pg_walfile_name(pg_switch_wal())');
  for (;;) {
    const archived = await lastArchived(cluster);
    if (archived >= segment && archived.length === 24) return segment;
    const failed = await cluster.psql('postgres', 'SELECT failed_count FROM pg_stat_archiver');
    if (Number(failed) > 20) throw new Error(`archive_command keeps failing for ${segment}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Entries of a folder, [] when it is gone. */
export async function listFolder(folder: string): Promise<string[]> {
  return readdir(folder).catch(() => []);
}


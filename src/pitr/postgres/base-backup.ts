import { execa } from 'execa';
import type { PostgresSourceConfig } from '../../config/schema.js';
import { DrcError, errorMessage } from '../../errors.js';
import type { BaseBackupInfo } from '../../sets/manifest.js';
import { parsePostgresUrl, postgresEnv } from '../../sources/db-url.js';
import { connectPostgres } from '../../sources/postgres.js';
import { findPostgresTool, settleExit, toolFailure, toolVersion } from '../../sources/tools.js';
import type { BackupSource, DumpMetadata, SourceDump } from '../../sources/types.js';
import { parseLsn, segmentName, segmentNumberOfLsn, walFileOfLsn } from './wal-names.js';
import { childEnvOptions } from '../../trust/child-env.js';

/** The base-backup item's file is `<source>.base.tar.zst.gpg`, beside the logical dump. */
export const BASE_BACKUP_EXTENSION = 'base.tar';

interface ClusterFacts {
  serverVersion: string;
  major: number;
  walSegmentBytes: number;
  systemIdentifier: string;
  superuser: string;
}

/**
 * A physical base backup for point-in-time recovery: `pg_basebackup -Ft -D - -X fetch`, one tar
 * on stdout (pg_wal/ and backup_manifest inside) streamed through the same pipeline as a dump.
 * Start/stop LSN and timeline come from pg_basebackup's own --verbose report.
 */
export function createBaseBackupSource(config: PostgresSourceConfig): BackupSource {
  return {
    name: config.name,
    type: 'postgres',
    extension: BASE_BACKUP_EXTENSION,
    open: (signal) => openBaseBackup(config, signal),
  };
}

async function readClusterFacts(config: PostgresSourceConfig): Promise<ClusterFacts> {
  const connection = parsePostgresUrl(config);
  const client = await connectPostgres(connection, `source ${config.name}`);
  try {
    const { rows } = await client.query<{ version: string; num: string; segment: string; sysid: string; superuser: string }>(
      `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num,
              (SELECT setting FROM pg_settings WHERE name = 'wal_segment_size') AS segment,
              (SELECT system_identifier::text FROM pg_control_system()) AS sysid,
              (SELECT rolname FROM pg_roles WHERE oid = 10) AS superuser`,
    );
    const row = rows[0]!;
    return {
      serverVersion: row.version,
      major: Math.floor(Number(row.num) / 10000),
      walSegmentBytes: Number(row.segment),
      systemIdentifier: row.sysid,
      superuser: row.superuser,
    };
  } catch (error) {
    throw new DrcError(`source ${config.name}: cannot read the cluster's settings for a base backup (${errorMessage(error)})`, { cause: error });
  } finally {
    await client.end().catch(() => {});
  }
}

async function openBaseBackup(config: PostgresSourceConfig, signal: AbortSignal): Promise<SourceDump> {
  const what = `source ${config.name} base backup`;
  const connection = parsePostgresUrl(config);
  const facts = await readClusterFacts(config);
  const label = `drc ${config.name} ${new Date().toISOString()}`;
  const binary = findPostgresTool('pg_basebackup');
  const child = execa(
    binary,
    ['--pgdata=-', '--format=tar', '--wal-method=fetch', '--checkpoint=fast', '--verbose', '--no-password', `--label=${label}`, `--dbname=${connection.uri}`],
    {
      // Untranslated messages: the start/stop points are read from them.
      ...childEnvOptions({ ...postgresEnv(connection), LC_ALL: 'C', LC_MESSAGES: 'C' }),
      stdin: 'ignore',
      buffer: { stdout: false, stderr: true },
      cancelSignal: signal,
    },
  );
  const exited = settleExit(child);
  return {
    stream: child.stdout!,
    async finish(observed): Promise<DumpMetadata> {
      const failure = await exited;
      if (failure) {
        throw Object.assign(toolFailure(what, binary, failure), {
          hint: 'pg_basebackup needs a role with REPLICATION and a "replication" line in pg_hba.conf (see README "Point-in-time recovery")',
        });
      }
      // A tar ends with two zero blocks; anything else was cut short.
      if (observed.bytes < 1024 || observed.tail.subarray(-1024).some((byte) => byte !== 0)) {
        throw new DrcError(`${what}: pg_basebackup exited 0 but its tar is incomplete (${observed.bytes} bytes)`);
      }
      const stderr = String((await child).stderr ?? '');
      return {
        tool: await toolVersion(binary),
        serverVersion: facts.serverVersion,
        database: connection.database,
        baseBackup: parseBaseBackupReport(stderr, label, facts, what),
      };
    },
    abort() {
      child.kill();
    },
  };
}

/**
 * "write-ahead log start point: 0/2000028 on timeline 1" and "write-ahead log end point:
 * 0/2000100" from pg_basebackup --verbose (run with LC_MESSAGES=C).
 */
export function parseBaseBackupReport(stderr: string, label: string, facts: ClusterFacts, what: string): BaseBackupInfo {
  const start = /write-ahead log start point: ([0-9A-F]+\/[0-9A-F]+) on timeline (\d+)/i.exec(stderr);
  const stop = /write-ahead log end point: ([0-9A-F]+\/[0-9A-F]+)/i.exec(stderr);
  if (!start || !stop) {
    throw new DrcError(`${what}: pg_basebackup did not report its start and end points; the backup cannot be placed in the WAL`, {
      hint: `its output was: ${stderr.trim().split('\n').slice(-4).join(' | ')}`,
    });
  }
  const timeline = Number(start[2]);
  const bytes = facts.walSegmentBytes;
  // The end point is where the next record would start: the last byte needed is just before it.
  const stopSegment = segmentNumberOfLsn(parseLsn(stop[1]!) - 1n, bytes);
  return {
    label,
    timeline,
    startLsn: start[1]!,
    stopLsn: stop[1]!,
    startWal: walFileOfLsn(timeline, start[1]!, bytes),
    stopWal: segmentName(timeline, stopSegment, bytes),
    walSegmentBytes: bytes,
    systemIdentifier: facts.systemIdentifier,
    superuser: facts.superuser,
    major: facts.major,
  };
}

import { execa } from 'execa';
import pg from 'pg';
import type { PostgresSourceConfig } from '../config/schema.js';
import { DrcError, errorMessage } from '../errors.js';
import { parsePostgresUrl, postgresEnv, type PostgresConnection } from './db-url.js';
import { findPostgresTool, settleExit, toolFailure, toolVersion } from './tools.js';
import type { BackupSource, DumpMetadata, SourceDump } from './types.js';
import { childEnvOptions } from '../trust/child-env.js';

const ROW_COUNT_METHOD =
  'exact count(*) per table in a REPEATABLE READ transaction whose snapshot pg_dump imported (--snapshot): same snapshot as the dump';

export function createPostgresSource(config: PostgresSourceConfig): BackupSource {
  return {
    name: config.name,
    type: 'postgres',
    extension: 'dump',
    open: (signal) => openPostgresDump(config, signal),
  };
}

export async function connectPostgres(connection: PostgresConnection, what: string, database = connection.database): Promise<pg.Client> {
  const client = new pg.Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    database,
    password: connection.password,
    application_name: 'drc',
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new DrcError(`${what}: cannot connect to PostgreSQL database "${database}" (${errorMessage(error)})`, {
      hint: 'check the server is running, the URL in the config, and the password env var',
      cause: error,
    });
  }
  return client;
}

/** Leaf tables (partitions included, their parents not) so counts add up after a restore. */
export async function listPostgresTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

export async function countPostgresRows(client: pg.Client, tables: string[]): Promise<Array<{ name: string; rows: number }>> {
  const counts: Array<{ name: string; rows: number }> = [];
  for (const table of tables) {
    // A failing count must not abort the transaction: its snapshot is what pg_dump imports.
    await client.query('SAVEPOINT drc_count');
    try {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      counts.push({ name: unquoteQualified(table), rows: Number(rows[0]!.n) });
      await client.query('RELEASE SAVEPOINT drc_count');
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT drc_count');
      throw error;
    }
  }
  return counts;
}

/** public."Calls" → public.Calls: manifests list names as people read them. */
function unquoteQualified(name: string): string {
  return name.replace(/"((?:[^"]|"")*)"/g, (_, inner: string) => inner.replace(/""/g, '"'));
}

async function openPostgresDump(config: PostgresSourceConfig, signal: AbortSignal): Promise<SourceDump> {
  const connection = parsePostgresUrl(config);
  const what = `source ${config.name}`;
  const client = await connectPostgres(connection, what);
  const pgDump = findPostgresTool('pg_dump');
  let snapshot: string;
  let serverVersion: string;
  let tables: string[];
  try {
    // The exported snapshot makes pg_dump and our row counts see exactly the same data.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    serverVersion = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    tables = await listPostgresTables(client);
  } catch (error) {
    await client.end().catch(() => {});
    throw new DrcError(`${what}: cannot start a snapshot (${errorMessage(error)})`, { cause: error });
  }

  const child = execa(pgDump, ['--format=custom', '--compress=0', `--snapshot=${snapshot}`, '--no-password', `--dbname=${connection.uri}`], {
    ...childEnvOptions(postgresEnv(connection)),
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
    cancelSignal: signal,
  });
  const exited = settleExit(child);
  const counted = countPostgresRows(client, tables).then(
    (counts) => ({ counts }),
    (error: unknown) => ({ error }),
  );

  return {
    stream: child.stdout!,
    async finish(observed): Promise<DumpMetadata> {
      const failure = await exited;
      const counts = await counted;
      await client.query('COMMIT').catch(() => {});
      await client.end().catch(() => {});
      if (failure) throw toolFailure(what, pgDump, failure);
      if ('error' in counts) throw new DrcError(`${what}: counting rows failed (${errorMessage(counts.error)})`);
      if (observed.bytes < 5 || observed.head.subarray(0, 5).toString('latin1') !== 'PGDMP') {
        throw new DrcError(`${what}: pg_dump exited 0 but wrote no custom-format archive (${observed.bytes} bytes)`, {
          hint: 'the dump is unusable; check pg_dump by hand with the same URL',
        });
      }
      return {
        tool: await toolVersion(pgDump),
        serverVersion,
        database: connection.database,
        tables: counts.counts,
        rowCountMethod: ROW_COUNT_METHOD,
      };
    },
    abort() {
      child.kill();
      void client.end().catch(() => {});
    },
  };
}

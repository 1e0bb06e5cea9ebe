import pg from 'pg';
import { uniqueSuffix } from './tmp.js';

/** The machine's PostgreSQL: unix socket, trust auth, superuser postgres. */
export const PG_ADMIN = { host: '/var/run/postgresql', user: 'postgres', database: 'postgres' };

export interface TestPgDatabase {
  name: string;
  /** The URL a drc config uses for it (socket, no password). */
  url: string;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

export async function pgAdminQuery(sql: string, params?: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client(PG_ADMIN);
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/**
 * One query on a fresh connection to `database`: for tests around a restore, whose swap ends
 * every session (pooled ones included) on the live database.
 */
export async function pgQueryOnce(database: string, sql: string, params?: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client({ ...PG_ADMIN, database });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** Creates a uniquely named database; drop() also removes copies drc made of it (_restore_/_before_). */
export async function createPgDatabase(prefix = 'drc_test'): Promise<TestPgDatabase> {
  const name = `${prefix}_${uniqueSuffix()}`.toLowerCase();
  await pgAdminQuery(`CREATE DATABASE "${name}"`);
  const pool = new pg.Pool({ ...PG_ADMIN, database: name, max: 2 });
  // A restore's swap ends every session on the live database, this pool's idle ones included: the
  // pool drops such a client and opens a new one on the next query; the error is expected.
  pool.on('error', () => {});
  return {
    name,
    url: `postgres://postgres@/${name}?host=${PG_ADMIN.host}`,
    query: (sql, params) => pool.query(sql, params),
    drop: async () => {
      await pool.end();
      const { rows } = await pgAdminQuery(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${name}%`]);
      for (const row of rows) await pgAdminQuery(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    },
  };
}

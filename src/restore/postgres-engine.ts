import { execa } from 'execa';
import { Readable } from 'node:stream';
import type pg from 'pg';
import type { PostgresSourceConfig } from '../config/schema.js';
import { DrcError, errorMessage } from '../errors.js';
import { parsePostgresUrl, postgresEnv, withPostgresDatabase, type PostgresConnection } from '../sources/db-url.js';
import { connectPostgres, countPostgresRows, listPostgresTables } from '../sources/postgres.js';
import { findPostgresTool, stderrTail } from '../sources/tools.js';
import { judgeSmokeCheck, type SmokeCheck } from './db-checks.js';
import type { DatabaseEngine } from './engine.js';
import { feedTool } from './feed-tool.js';
import { streamInput } from './tool-input.js';
import { quotePgIdent } from './names.js';
import { childEnvOptions } from '../trust/child-env.js';
import { shellJoin } from '../trust/shell-quote.js';

const MAINTENANCE_DB = 'postgres';

export function createPostgresEngine(source: PostgresSourceConfig): DatabaseEngine {
  const live = parsePostgresUrl(source);
  const what = `source ${source.name}`;
  const on = (database: string) => withPostgresDatabase(live, database);
  let admin: pg.Client | undefined;
  const adminClient = async () => (admin ??= await connectPostgres(on(MAINTENANCE_DB), what, MAINTENANCE_DB));
  const withClient = async <T>(database: string, run: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = await connectPostgres(on(database), what, database);
    try {
      return await run(client);
    } finally {
      await client.end().catch(() => {});
    }
  };

  return {
    kind: 'PostgreSQL',
    database: live.database,
    async exists(database) {
      const { rowCount } = await (await adminClient()).query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      return Boolean(rowCount);
    },
    async isEmpty(database) {
      return withClient(database, async (client) => {
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r','v','m','p','S') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
        );
        return Number(rows[0]!.n) === 0;
      });
    },
    async create(database) {
      try {
        await (await adminClient()).query(`CREATE DATABASE ${quotePgIdent(database)} TEMPLATE template0`);
      } catch (error) {
        throw new DrcError(`${what}: cannot create database "${database}" (${errorMessage(error)})`, {
          hint: 'the restore user needs CREATEDB (ALTER ROLE … CREATEDB) to restore into a new database',
        });
      }
    },
    async drop(database) {
      await (await adminClient()).query(`DROP DATABASE IF EXISTS ${quotePgIdent(database)} WITH (FORCE)`);
    },
    async load(database, input) {
      const args = ['--exit-on-error', '--no-owner', '--no-password', `--dbname=${on(database).uri}`];
      await feedTool(input, findPostgresTool('pg_restore'), args, postgresEnv(live), `${what}: restore into "${database}"`);
    },
    countRows: (database) =>
      withClient(database, async (client) => {
        // One snapshot for every count (countPostgresRows works inside a transaction).
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        try {
          return await countPostgresRows(client, await listPostgresTables(client));
        } finally {
          await client.query('COMMIT').catch(() => {});
        }
      }),
    runSmokeChecks: (database, checks) => withClient(database, (client) => runChecks(client, checks)),
    manifestTableName(table, known) {
      if (known.includes(table)) return table;
      const matches = known.filter((name) => name.slice(name.indexOf('.') + 1) === table);
      return matches.find((name) => name.startsWith('public.')) ?? matches[0];
    },
    async swapDatabase(restored, before, journal) {
      const client = await adminClient();
      const notes: string[] = [];
      if (!(await this.exists(live.database))) {
        // The live database was dropped outright: nothing to keep, the restored copy takes its name.
        await journal.step('rename-databases', { liveExisted: false });
        await client.query(`ALTER DATABASE ${quotePgIdent(restored)} RENAME TO ${quotePgIdent(live.database)}`);
        return [`${live.database} did not exist; the restored copy now has its name (nothing was kept as ${before})`];
      }
      const owner = (await client.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [live.database])).rows[0]?.owner;
      if (owner) {
        await client.query(`ALTER DATABASE ${quotePgIdent(restored)} OWNER TO ${quotePgIdent(owner)}`).catch((error: unknown) => {
          notes.push(`could not hand the restored database to its owner ${owner} (${errorMessage(error)}); it is owned by the restore user`);
        });
      }
      // New sessions would block the rename; keep them out while the old ones are ended. This is
      // the only moment the live name refuses connections: the rename transaction lets them back in.
      await journal.step('block-connections');
      const blocked = await client.query(`ALTER DATABASE ${quotePgIdent(live.database)} WITH ALLOW_CONNECTIONS false`).then(
        () => true,
        () => false,
      );
      try {
        let ended = 0;
        await journal.step('rename-databases', { liveExisted: true });
        for (let attempt = 1; ; attempt += 1) {
          ended += (await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [live.database])).rowCount ?? 0;
          try {
            await client.query('BEGIN');
            await client.query(`ALTER DATABASE ${quotePgIdent(live.database)} RENAME TO ${quotePgIdent(before)}`);
            if (blocked) await client.query(`ALTER DATABASE ${quotePgIdent(before)} WITH ALLOW_CONNECTIONS true`);
            await client.query(`ALTER DATABASE ${quotePgIdent(restored)} RENAME TO ${quotePgIdent(live.database)}`);
            await client.query('COMMIT');
            break;
          } catch (error) {
            await client.query('ROLLBACK').catch(() => {});
            if (attempt >= 5) throw new DrcError(`${what}: cannot swap in the restored database (${errorMessage(error)}); the live database is unchanged`);
            await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
          }
        }
        if (ended) notes.push(`ended ${ended} session(s) on the live database; applications reconnect to the restored one`);
      } catch (error) {
        // The rename never committed: the live database is the old one and takes connections again.
        if (blocked) await client.query(`ALTER DATABASE ${quotePgIdent(live.database)} WITH ALLOW_CONNECTIONS true`).catch(() => {});
        throw error;
      }
      return notes;
    },
    async swapTable(restored, before, table, journal) {
      await journal.step('replace-table');
      return replaceTable(live, on, restored, before, table, what);
    },
    dropHint(before, table) {
      const admin = on(MAINTENANCE_DB).uri;
      return table
        ? shellJoin(['psql', `--dbname=${live.uri}`, `--command=DROP SCHEMA ${quotePgIdent(before)} CASCADE`])
        : shellJoin(['psql', `--dbname=${admin}`, `--command=DROP DATABASE ${quotePgIdent(before)}`]);
    },
    async close() {
      await admin?.end().catch(() => {});
      admin = undefined;
    },
  };
}

async function runChecks(client: pg.Client, checks: SmokeCheck[]): Promise<string[]> {
  const problems: string[] = [];
  for (const check of checks) {
    try {
      const result = await client.query({ text: check.sql, rowMode: 'array' });
      const first = (result.rows[0] as unknown[] | undefined)?.[0];
      const problem = judgeSmokeCheck(check, first, result.rows.length > 0);
      if (problem) problems.push(problem);
    } catch (error) {
      problems.push(`smoke check "${check.name ?? check.sql}": ${errorMessage(error)}`);
    }
  }
  return problems;
}

/**
 * One table, in one transaction on the live database: the current rows are copied aside into
 * schema `before`, the table is emptied and refilled from the verified restored copy (FK
 * triggers paused so rows come back with their keys and nothing cascades). A table missing in
 * live is recreated from the restored copy with its indexes and constraints (pg_dump --table).
 * Any failure rolls the whole transaction back: live stays as it was.
 */
async function replaceTable(
  live: PostgresConnection,
  on: (database: string) => PostgresConnection,
  restored: string,
  before: string,
  table: string,
  what: string,
): Promise<string[]> {
  const dot = table.indexOf('.');
  const qualified = `${quotePgIdent(table.slice(0, dot))}.${quotePgIdent(table.slice(dot + 1))}`;
  const psql = findPostgresTool('psql');
  const env = postgresEnv(live);
  const client = await connectPostgres(live, what);
  let exists: boolean;
  let superuser: boolean;
  try {
    exists = (await client.query<{ r: string | null }>('SELECT to_regclass($1) AS r', [qualified])).rows[0]!.r !== null;
    superuser = (await client.query<{ s: boolean }>('SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user')).rows[0]?.s ?? false;
  } finally {
    await client.end().catch(() => {});
  }
  const psqlArgs = ['--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1', '--no-password', `--dbname=${live.uri}`];
  if (!exists) {
    const dump = execa(findPostgresTool('pg_dump'), ['--no-owner', `--table=${qualified}`, '--no-password', `--dbname=${on(restored).uri}`], {
      ...childEnvOptions(env),
      buffer: { stdout: false, stderr: true },
      reject: false,
    });
    await feedTool(streamInput(transactionScript('', dump, '', 'pg_dump')), psql, psqlArgs, env, `${what}: create table ${table} in "${live.database}"`);
    return [`table ${table} did not exist in the live database; it was created from the backup with its indexes and constraints`];
  }
  const columns = await connectPostgres(on(restored), what, restored).then(async (scratch) => {
    try {
      const { rows } = await scratch.query<{ cols: string }>(
        `SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS cols FROM pg_attribute
          WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''`,
        [qualified],
      );
      return rows[0]!.cols;
    } finally {
      await scratch.end().catch(() => {});
    }
  });
  const copyOut = execa(psql, ['--no-psqlrc', '--quiet', '--no-password', `--dbname=${on(restored).uri}`, `--command=COPY ${qualified} (${columns}) TO STDOUT`], {
    ...childEnvOptions(env),
    buffer: { stdout: false, stderr: true },
    reject: false,
  });
  const head = [
    superuser ? 'SET LOCAL session_replication_role = replica;' : '',
    `LOCK TABLE ${qualified} IN ACCESS EXCLUSIVE MODE;`,
    `CREATE SCHEMA ${quotePgIdent(before)};`,
    `CREATE TABLE ${quotePgIdent(before)}.${quotePgIdent(table.slice(dot + 1))} AS TABLE ${qualified};`,
    `DELETE FROM ${qualified};`,
    `COPY ${qualified} (${columns}) FROM STDIN;`,
    '',
  ].join('\n');
  const script = transactionScript(head, copyOut, '\\.\n', 'psql COPY');
  await feedTool(streamInput(script), psql, psqlArgs, env, `${what}: replace table ${table} in "${live.database}"`);
  return [
    `table ${table} replaced in one transaction; its previous rows are kept in ${before}.${table.slice(dot + 1)}`,
    ...(superuser ? [] : ['not a superuser: foreign-key triggers stayed on while the table was refilled']),
  ];
}

/**
 * BEGIN, the statements, the tool's output, and COMMIT only once the tool exited 0. If the tool
 * fails, the stream errors before COMMIT: psql's stdin closes mid-transaction and the server
 * rolls everything back.
 */
function transactionScript(head: string, body: ReturnType<typeof execa>, tail: string, tool: string): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.from(`BEGIN;\n${head}`);
      for await (const chunk of body.stdout!) yield chunk as Buffer;
      yield Buffer.from(tail);
      const result = await body;
      if (result.exitCode !== 0) throw new DrcError(`${tool} failed: ${stderrTail(result.stderr)}`);
      yield Buffer.from('COMMIT;\n');
    })(),
  );
}

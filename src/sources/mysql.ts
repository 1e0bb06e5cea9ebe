import { execa } from 'execa';
import mysql from 'mysql2/promise';
import type { MysqlSourceConfig } from '../config/schema.js';
import { DrcError, errorMessage } from '../errors.js';
import { mysqlDriverOptions, mysqlEnv, mysqlToolArgs, parseMysqlUrl, type MysqlConnection } from './db-url.js';
import { BinlogCoordinateScanner, coordinateFlags, readBinlogState, type BinlogState } from './mysql-binlog-state.js';
import { MysqlRowCounter } from './mysql-row-counter.js';
import { findMysqlTool, settleExit, toolFailure, toolVersion } from './tools.js';
import type { BackupSource, DumpMetadata, SourceDump } from './types.js';
import { childEnvOptions } from '../trust/child-env.js';

const ROW_COUNT_METHOD =
  'rows counted in the dump stream itself (MySQL/MariaDB cannot share the --single-transaction snapshot with another connection)';
const DUMP_TRAILER = '-- Dump completed';

export function createMysqlSource(config: MysqlSourceConfig): BackupSource {
  return {
    name: config.name,
    type: 'mysql',
    extension: 'sql',
    open: (signal) => openMysqlDump(config, signal),
  };
}

export async function connectMysql(connection: MysqlConnection, what: string, database = connection.database): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection({ ...mysqlDriverOptions(connection, database), connectTimeout: 10_000, multipleStatements: false });
  } catch (error) {
    throw new DrcError(`${what}: cannot connect to MySQL/MariaDB database "${database}" (${errorMessage(error)})`, {
      hint: 'check the server is running, the URL in the config, and the password env var',
      cause: error,
    });
  }
}

export async function listMysqlTables(db: mysql.Connection, database: string): Promise<string[]> {
  const [rows] = await db.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    [database],
  );
  return (rows as Array<{ name: string }>).map((row) => row.name);
}

/** The flags every dump uses; RESTORE.md and the tests repeat them, so they live in one place. */
export const MYSQL_DUMP_FLAGS = ['--single-transaction', '--routines', '--triggers', '--events', '--hex-blob', '--default-character-set=utf8mb4'];

async function openMysqlDump(config: MysqlSourceConfig, signal: AbortSignal): Promise<SourceDump> {
  const connection = parseMysqlUrl(config);
  const what = `source ${config.name}`;
  const db = await connectMysql(connection, what);
  let serverVersion: string;
  let tables: string[];
  let binlogState: BinlogState;
  try {
    serverVersion = ((await db.query('SELECT VERSION() AS v'))[0] as Array<{ v: string }>)[0]!.v;
    tables = await listMysqlTables(db, connection.database);
    binlogState = await readBinlogState(db);
  } finally {
    await db.end().catch(() => {});
  }
  const dumpTool = findMysqlTool('dump');
  const counter = new MysqlRowCounter();
  const coordinates = new BinlogCoordinateScanner();
  const child = execa(dumpTool, [...mysqlToolArgs(connection), ...MYSQL_DUMP_FLAGS, ...coordinateFlags(binlogState), connection.database], {
    ...childEnvOptions(mysqlEnv(connection)),
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
    cancelSignal: signal,
  });
  const exited = settleExit(child);
  return {
    stream: child.stdout!,
    inspect: (chunk) => {
      counter.push(chunk);
      coordinates.push(chunk);
    },
    async finish(observed): Promise<DumpMetadata> {
      const failure = await exited;
      if (failure) throw toolFailure(what, dumpTool, failure);
      if (!observed.tail.toString('utf8').includes(DUMP_TRAILER)) {
        throw new DrcError(`${what}: the dump exited 0 but lacks its "${DUMP_TRAILER}" trailer (${observed.bytes} bytes): it is truncated`, {
          hint: 'run the dump by hand to see what stops it',
        });
      }
      return {
        tool: await toolVersion(dumpTool),
        serverVersion,
        database: connection.database,
        tables: tables.map((name) => ({ name, rows: counter.counts.get(name) ?? 0 })),
        rowCountMethod: ROW_COUNT_METHOD,
        ...coordinates.result(binlogState, observed.tail),
      };
    },
    abort() {
      child.kill();
    },
  };
}

import { execa } from 'execa';
import type mysql from 'mysql2/promise';
import path from 'node:path';
import { DrcError, errorMessage } from '../errors.js';
import { mysqlEnv, mysqlToolArgs, type MysqlConnection } from '../sources/db-url.js';
import { findMysqlTool, toolFailure } from '../sources/tools.js';
import { childEnvOptions } from '../trust/child-env.js';

export interface ServerBinlog {
  name: string;
  bytes: number;
}

/** SHOW BINARY LOGS: the files the server still has, oldest first (needs BINLOG MONITOR). */
export async function listServerBinlogs(db: mysql.Connection, what: string): Promise<ServerBinlog[]> {
  try {
    const [rows] = await db.query('SHOW BINARY LOGS');
    return (rows as Array<{ Log_name: string; File_size: number | string }>).map((row) => ({ name: row.Log_name, bytes: Number(row.File_size) }));
  } catch (error) {
    throw new DrcError(`${what}: SHOW BINARY LOGS failed (${errorMessage(error)})`, {
      hint: 'grant the backup user BINLOG MONITOR (MariaDB ≥ 10.5) or REPLICATION CLIENT (MySQL): see README "Point-in-time recovery"',
    });
  }
}

/** FLUSH BINARY LOGS: closes the current file so everything written so far can be archived (needs RELOAD). */
export async function flushBinaryLogs(db: mysql.Connection, what: string): Promise<void> {
  try {
    await db.query('FLUSH BINARY LOGS');
  } catch (error) {
    throw new DrcError(`${what}: FLUSH BINARY LOGS failed (${errorMessage(error)})`, {
      hint: 'grant the backup user RELOAD (or BINLOG ADMIN on MariaDB ≥ 10.5.2): see README "Point-in-time recovery"',
    });
  }
}

/**
 * Copies one closed binlog from the server into `dir` byte for byte
 * (`mariadb-binlog --read-from-remote-server --raw`, needs REPLICATION SLAVE): no access to
 * the datadir is needed, and the password goes by MYSQL_PWD, never argv. Returns its path.
 */
export async function fetchServerBinlog(connection: MysqlConnection, name: string, dir: string, what: string, signal?: AbortSignal): Promise<string> {
  const tool = findMysqlTool('binlog');
  const result = await execa(tool, ['--read-from-remote-server', '--raw', ...mysqlToolArgs(connection), `--result-file=${dir}${path.sep}`, name], {
    ...childEnvOptions(mysqlEnv(connection)),
    stdin: 'ignore',
    reject: false,
    ...(signal ? { cancelSignal: signal } : {}),
  });
  if (result.exitCode !== 0 || result.isCanceled) throw toolFailure(`${what}: reading ${name} from the server`, tool, result);
  return path.join(dir, name);
}

/** The GTID position of the binlog (MariaDB @@gtid_binlog_pos); undefined where the server has none. */
export async function readGtidPosition(db: mysql.Connection): Promise<string | undefined> {
  try {
    const [rows] = await db.query('SELECT @@gtid_binlog_pos AS gtid');
    const gtid = (rows as Array<{ gtid: unknown }>)[0]?.gtid;
    return typeof gtid === 'string' ? gtid : undefined;
  } catch {
    return undefined;
  }
}

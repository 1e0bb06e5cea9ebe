import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import mysql from 'mysql2/promise';
import { DrcError } from '../errors.js';

export interface MariaServer {
  socket: string;
  url(database: string): string;
  query(database: string | undefined, sql: string): Promise<void>;
  stop(): Promise<void>;
}

/** mariadb-install-db and mariadbd where this machine has them; the demo runs without them. */
export async function findMariaDb(): Promise<{ installDb: string; server: string } | undefined> {
  const found = async (candidates: string[]) => {
    for (const candidate of candidates) {
      const result = await execa('sh', ['-c', `command -v ${candidate}`], { reject: false });
      if (result.exitCode === 0 && result.stdout.trim()) return result.stdout.trim();
    }
    return undefined;
  };
  const installDb = await found(['mariadb-install-db', 'mysql_install_db']);
  const server = (await found(['mariadbd', '/usr/sbin/mariadbd', 'mysqld', '/usr/sbin/mysqld'])) ?? undefined;
  return installDb && server ? { installDb, server } : undefined;
}

export interface MariaOptions {
  /** Binary log on (ROW format, server id 1) under `dir`: what point-in-time recovery needs. */
  binlog?: boolean;
  /** Listen on 127.0.0.1:port as well as the socket (default: socket only). */
  port?: number;
}

/** mariadbd flags for `options`: binlog settings as README "Point-in-time recovery" recommends. */
export function mariaServerArgs(dir: string, options: MariaOptions): string[] {
  const args = options.port ? [`--port=${options.port}`, '--bind-address=127.0.0.1'] : ['--skip-networking'];
  if (options.binlog) args.push(`--log-bin=${path.join(dir, 'data', 'mysql-bin')}`, '--server-id=1', '--binlog-format=ROW', '--log-basename=mysql');
  return args;
}

/** A throwaway MariaDB under `dir`: its own datadir and socket, root without password over the socket. */
export async function startMariaDb(dir: string, tools: { installDb: string; server: string }, options: MariaOptions = {}): Promise<MariaServer> {
  const dataDir = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  const install = await execa(
    tools.installDb,
    ['--no-defaults', `--datadir=${dataDir}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'],
    { reject: false, stdin: 'ignore' },
  );
  if (install.exitCode !== 0) {
    throw new DrcError(`demo: mariadb-install-db failed (exit ${install.exitCode}): ${install.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  const child: ChildProcess = spawn(
    tools.server,
    ['--no-defaults', `--datadir=${dataDir}`, `--socket=${socket}`, ...mariaServerArgs(dir, options), `--pid-file=${path.join(dir, 'mysqld.pid')}`, `--log-error=${path.join(dir, 'error.log')}`, '--innodb-buffer-pool-size=16M', ...user],
    { stdio: 'ignore' },
  );
  const exited = once(child, 'exit');
  await waitForSocket(socket, child);
  return {
    socket,
    url: (database) => `mysql://root@localhost/${database}?socket=${socket}`,
    query: async (database, sql) => {
      const connection = await mysql.createConnection({ socketPath: socket, user: 'root', multipleStatements: true, ...(database ? { database } : {}) });
      try {
        await connection.query(sql);
      } finally {
        await connection.end();
      }
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

async function waitForSocket(socket: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new DrcError(`demo: mariadbd exited with code ${child.exitCode} while starting (see error.log in the demo folder)`);
    try {
      const connection = await mysql.createConnection({ socketPath: socket, user: 'root' });
      await connection.end();
      return;
    } catch {
      if (Date.now() > deadline) throw new DrcError('demo: mariadbd did not accept connections within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

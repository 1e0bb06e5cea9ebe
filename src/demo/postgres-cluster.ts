import { appendFile, chown, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { DrcError } from '../errors.js';
import { findFreePort } from './free-port.js';

export const PG_BIN = process.env.DRC_DEMO_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PgCluster {
  socketDir: string;
  port: number;
  dataDir: string;
  /** A drc source URL for `database` on this cluster (socket, trust auth, no password). */
  url(database: string): string;
  psql(database: string, sql: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * initdb and pg_ctl refuse to run as root; as root they run as the postgres user (runuser),
 * which then owns the cluster folder. Elsewhere they run as the current user.
 */
function asClusterOwner(binary: string, args: string[]): [string, string[]] {
  const tool = path.join(PG_BIN, binary);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', tool, ...args]] : [tool, args];
}

async function run(binary: string, args: string[], what: string): Promise<string> {
  const [command, argv] = asClusterOwner(binary, args);
  const result = await execa(command, argv, { reject: false, stdin: 'ignore', env: { LC_ALL: 'C.UTF-8' } });
  if (result.exitCode !== 0) {
    throw new DrcError(`demo: ${what} failed (${binary} exited ${result.exitCode}): ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`, {
      hint: `PostgreSQL 15 server tools are expected in ${PG_BIN} (set DRC_DEMO_PG_BIN to another folder)`,
    });
  }
  return result.stdout;
}

/**
 * A throwaway PostgreSQL cluster under `dir`, listening only on a unix socket in `dir`.
 * `settings` are appended to its postgresql.conf (e.g. archiving for point-in-time tests).
 */
export async function startPgCluster(dir: string, settings: string[] = []): Promise<PgCluster> {
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) {
    const { uid, gid } = await lookupUser('postgres');
    for (const folder of [dir, dataDir, socketDir]) await chown(folder, uid, gid);
  }
  const port = await findFreePort();
  await run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], 'initdb');
  if (settings.length) await appendFile(path.join(dataDir, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
  const options = `-k ${socketDir} -p ${port} -c listen_addresses= -c fsync=off -c shared_buffers=16MB`;
  await run('pg_ctl', ['-D', dataDir, '-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start'], 'starting PostgreSQL');
  const cluster: PgCluster = {
    socketDir,
    port,
    dataDir,
    url: (database) => `postgres://postgres@:${port}/${database}?host=${socketDir}`,
    psql: (database, sql) => run('psql', ['-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], `psql on ${database}`),
    stop: async () => {
      await run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop'], 'stopping PostgreSQL').catch(() => {});
    },
  };
  return cluster;
}

export async function lookupUser(name: string): Promise<{ uid: number; gid: number }> {
  const { stdout } = await execa('id', ['-u', name]);
  const { stdout: group } = await execa('id', ['-g', name]);
  return { uid: Number(stdout.trim()), gid: Number(group.trim()) };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, mkdtemp, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { lookupUser } from '../../demo/postgres-cluster.js';
import { findFreePort } from '../../demo/free-port.js';
import { DrcError, errorMessage } from '../../errors.js';
import type { Emit } from '../../events.js';
import type { PostgresConnection } from '../../sources/db-url.js';
import { startWalServer, type WalSupply } from './wal-server.js';

export const PG_LIB_ROOT = process.env.DRC_PG_LIB_ROOT ?? '/usr/lib/postgresql';

/** A recovered copy of a cluster, beside the live one: its own folder, socket and port. */
export interface RecoveredInstance {
  dataDir: string;
  /** How to reach one of its databases (unix socket, trust, the cluster's own superuser). */
  connection(database: string): PostgresConnection;
  /** WAL files PostgreSQL asked for and got, in order. */
  walServed: string[];
}

export interface RecoveryOptions {
  major: number;
  superuser: string;
  /** Recover up to here (recovery_target_time) and promote; undefined: to the end of the archived WAL. */
  targetTime: Date | undefined;
  /** Writes the base backup's tar into `dataDir`; run with `tarAs` (runuser prefix when root). */
  unpack(dataDir: string, tarAs: string[]): Promise<void>;
  wal: WalSupply;
  emit: Emit;
  signal?: AbortSignal | undefined;
  /** A user-given empty folder that keeps the recovered cluster (--data-dir); default: a scratch one, always removed. */
  keepDataDir?: string | undefined;
  /** Parent of the scratch folder (default: the system temp folder). */
  scratchRoot?: string | undefined;
}

/** The server binaries of one major version (recovery must use the same major as the backup). */
export function findServerBinaries(major: number): { postgres: string } {
  const postgres = path.join(PG_LIB_ROOT, String(major), 'bin', 'postgres');
  if (!existsSync(postgres)) {
    throw new DrcError(`PostgreSQL ${major} server binaries not found (${postgres}); a base backup is recovered by the same major version`, {
      hint: `install the server package (Debian: apt-get install postgresql-${major}), or set DRC_PG_LIB_ROOT`,
    });
  }
  return { postgres };
}

/** The postgres user when drc runs as root (PostgreSQL refuses root); the current user otherwise. */
async function instanceOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  return lookupUser('postgres').catch((error: unknown) => {
    throw new DrcError(`drc runs as root and PostgreSQL refuses to; the "postgres" user it would run as is missing (${errorMessage(error)})`);
  });
}

/** postgresql.conf string literal. */
function confString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Recovers a base backup to `targetTime` in a throwaway PostgreSQL beside the live one and hands
 * it to `use`. Whatever happens (success, a failed recovery, an exception in `use`, SIGTERM via
 * `signal`), the instance is stopped and its scratch folder removed before this returns; with
 * `keepDataDir` the recovered cluster is shut down cleanly and left there, or emptied on failure.
 */
export async function withRecoveredInstance<T>(options: RecoveryOptions, use: (instance: RecoveredInstance) => Promise<T>): Promise<T> {
  const { postgres } = findServerBinaries(options.major);
  const owner = await instanceOwner();
  const work = await mkdtemp(path.join(options.scratchRoot ?? os.tmpdir(), 'drc-pitr-'));
  const dataDir = options.keepDataDir ?? path.join(work, 'data');
  const socketDir = path.join(work, 'socket');
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> | undefined;
  let server: Awaited<ReturnType<typeof startWalServer>> | undefined;
  let originalAutoConf: string | undefined;
  let kept = false;
  try {
    await chmod(work, 0o700);
    if (!options.keepDataDir) await mkdir(dataDir, { mode: 0o700 });
    await mkdir(socketDir, { mode: 0o700 });
    await chmod(dataDir, 0o700);
    if (owner) for (const folder of [work, dataDir, socketDir]) await chown(folder, owner.uid, owner.gid);

    options.emit({ type: 'log', level: 'info', message: `unpacking the base backup into ${dataDir}` });
    await options.unpack(dataDir, owner ? ['runuser', '-u', 'postgres', '--'] : []);
    throwIfStopped(options.signal);

    server = await startWalServer(work, options.wal, owner, options.emit);
    const port = await findFreePort();
    const settings = [
      '# drc point-in-time recovery: a private instance beside the live server',
      "listen_addresses = ''",
      `port = ${port}`,
      `unix_socket_directories = ${confString(socketDir)}`,
      // Never archive into the live archive: this copy forks a new timeline when it promotes.
      'archive_mode = off',
      // No standby connections, so none of the primary's max_* settings have to be matched.
      'hot_standby = off',
      "shared_preload_libraries = ''",
      'logging_collector = off',
      `restore_command = ${confString(server.restoreCommand)}`,
      ...(options.targetTime ? [`recovery_target_time = ${confString(pgTimestamp(options.targetTime))}`, "recovery_target_action = 'promote'"] : []),
      "recovery_target_timeline = 'latest'",
      ...(options.keepDataDir ? [] : ['fsync = off']),
      '',
    ].join('\n');
    const configFile = path.join(work, 'postgresql.conf');
    // hba_file and ident_file may not appear in postgresql.auto.conf: they live in our config_file only.
    const files = [`hba_file = ${confString(path.join(work, 'pg_hba.conf'))}`, `ident_file = ${confString(path.join(work, 'pg_ident.conf'))}`, ''].join('\n');
    await writeFile(configFile, settings + files, { mode: 0o600 });
    await writeFile(path.join(work, 'pg_hba.conf'), 'local all all trust\n', { mode: 0o600 });
    await writeFile(path.join(work, 'pg_ident.conf'), '', { mode: 0o600 });
    // postgresql.auto.conf (ALTER SYSTEM) is read last and would win over our settings.
    const autoConf = path.join(dataDir, 'postgresql.auto.conf');
    originalAutoConf = await readFile(autoConf, 'utf8').catch(() => '');
    await appendFile(autoConf, `\n${settings}`);
    await writeFile(path.join(dataDir, 'recovery.signal'), '');
    if (owner) {
      for (const file of ['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf']) await chown(path.join(work, file), owner.uid, owner.gid);
      for (const file of ['postgresql.auto.conf', 'recovery.signal']) await chown(path.join(dataDir, file), owner.uid, owner.gid);
    }

    const log = await open(path.join(work, 'server.log'), 'a', 0o600);
    if (owner) await log.chown(owner.uid, owner.gid);
    options.emit({ type: 'log', level: 'info', message: `recovering to ${options.targetTime?.toISOString() ?? 'the end of the archived WAL'} (PostgreSQL ${options.major}, socket ${socketDir})` });
    child = spawn(postgres, ['-D', dataDir, '-c', `config_file=${configFile}`], {
      stdio: ['ignore', log.fd, log.fd],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    });
    exited = new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
    await log.close();
    const instance: RecoveredInstance = {
      dataDir,
      walServed: server.served,
      connection: (database) => ({
        uri: `postgres://${encodeURIComponent(options.superuser)}@/${encodeURIComponent(database)}?host=${encodeURIComponent(socketDir)}&port=${port}`,
        host: socketDir,
        port,
        user: options.superuser,
        database,
        password: undefined,
      }),
    };
    await waitUntilPromoted(instance, exited, path.join(work, 'server.log'), options.signal);
    options.emit({ type: 'log', level: 'info', message: `recovered: ${server.served.filter((name) => !name.endsWith('.history')).length} archived WAL file(s) replayed` });
    const result = await use(instance);
    if (options.keepDataDir) {
      await stopInstance(child, exited, 'SIGINT');
      child = undefined;
      // The recovered cluster starts on its own settings, not the private ones used to recover it.
      await writeFile(autoConf, originalAutoConf);
      if (owner) await chown(autoConf, owner.uid, owner.gid);
      await addMissingConfig(dataDir, owner);
      kept = true;
    }
    return result;
  } finally {
    if (child) await stopInstance(child, exited!, 'SIGQUIT');
    await server?.close();
    await rm(work, { recursive: true, force: true });
    if (options.keepDataDir && !kept) await emptyFolder(options.keepDataDir);
  }
}

/** "2026-12-02 14:59:28.203+00": PostgreSQL's timestamptz input (it rejects ISO's T and Z here). */
function pgTimestamp(time: Date): string {
  return time.toISOString().replace('T', ' ').replace('Z', '+00');
}

function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DrcError(`recovery stopped (${errorMessage(signal.reason)})`, { hint: 'nothing live was changed; the scratch instance was removed' });
}

/**
 * Waits until the instance accepts connections out of recovery (hot_standby is off, so a
 * connection succeeds only after the promotion). A server that exits first failed to recover:
 * its log says why (target before consistency, WAL missing, …).
 */
async function waitUntilPromoted(instance: RecoveredInstance, exited: Promise<number | null>, logFile: string, signal: AbortSignal | undefined): Promise<void> {
  let dead = false;
  void exited.then(() => (dead = true));
  const stopped = signal ? new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })) : new Promise<void>(() => {});
  for (;;) {
    throwIfStopped(signal);
    if (dead) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      const reasons = log.split('\n').filter((line) => /FATAL|PANIC|ERROR|recovery ended|could not|invalid|unrecognized|syntax error|cannot be/.test(line)).slice(-4);
      throw new DrcError(`point-in-time recovery failed: the recovery instance stopped (${reasons.join(' | ') || 'no message in its log'})`, {
        hint: 'nothing live was changed; the scratch instance was removed',
      });
    }
    const client = new pg.Client({ host: instance.connection('postgres').host, port: instance.connection('postgres').port, user: instance.connection('postgres').user, database: 'postgres', connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      const { rows } = await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
      if (!rows[0]!.r) return;
    } catch {
      // not accepting connections yet
    } finally {
      await client.end().catch(() => {});
    }
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 200)), exited, stopped]);
  }
}

/** SIGINT: fast shutdown (clean, for a kept cluster); SIGQUIT: immediate (a scratch one). */
async function stopInstance(child: ChildProcess, exited: Promise<number | null>, how: 'SIGINT' | 'SIGQUIT'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(how);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A cluster whose configuration lived outside its data directory (Debian: /etc/postgresql)
 * has none in the backup; a minimal one lets the recovered cluster start on its own.
 */
async function addMissingConfig(dataDir: string, owner: { uid: number; gid: number } | undefined): Promise<void> {
  const defaults: Array<[string, string]> = [
    ['postgresql.conf', "# written by drc: the backed-up cluster kept its configuration outside the data directory\nlisten_addresses = 'localhost'\n"],
    ['pg_hba.conf', '# written by drc: local connections as the matching system user only\nlocal all all peer\n'],
    ['pg_ident.conf', ''],
  ];
  for (const [file, content] of defaults) {
    const target = path.join(dataDir, file);
    if (existsSync(target)) continue;
    await writeFile(target, content, { mode: 0o600 });
    if (owner) await chown(target, owner.uid, owner.gid);
  }
}

async function emptyFolder(folder: string): Promise<void> {
  for (const entry of await readdir(folder).catch(() => [] as string[])) await rm(path.join(folder, entry), { recursive: true, force: true });
}

import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { chmod, copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgCluster } from '../../src/demo/postgres-cluster.js';
import { drcCommand, runDrc } from '../helpers/drc.js';
import { createGpgKey, type TestGpgKey } from '../helpers/gpg.js';
import { makeTempDir } from '../helpers/tmp.js';
import { lastArchived, listFolder, makePostgresFolder, startArchivingCluster, switchAndWaitArchived } from './pg-cluster.js';

const PASS_ENV = 'DRC_TEST_PITR_PASS';

/**
 * The whole PostgreSQL point-in-time path on a throwaway PostgreSQL 15 cluster whose
 * archive_command is the built `drc wal push %p`, run by the postgres user with no secret
 * (the archive is encrypted to a public key).
 */
describe('PostgreSQL point-in-time recovery (drc wal push, drc restore --at)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let cluster: PgCluster;
  let key: TestGpgKey;
  let configPath: string;
  let archiveConfigPath: string;
  let scratch: string;
  let config: Record<string, unknown>;
  let atT: string;
  let env: Record<string, string>;

  const drc = (args: string[], extra: Record<string, string> = {}) => runDrc(['--config', configPath, ...args], { env: { ...env, ...extra } });
  const live = (sql: string, database = 'app') => cluster.psql(database, sql);

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('drc-pitr-pg-'));
    await chmod(dir, 0o711);
    key = await createGpgKey('PITR Ops', dir);
    await chmod(key.gnupgHome, 0o711);
    await chmod(key.publicKeyFile, 0o644);
    const backups = await makePostgresFolder(path.join(dir, 'backups'));
    scratch = path.join(dir, 'scratch');
    await makePostgresFolder(scratch);
    await chmod(scratch, 0o711);
    configPath = path.join(dir, 'drc.json');
    archiveConfigPath = path.join(dir, 'drc-archive.json');
    env = { [PASS_ENV]: 'pitr-e2e-pass', DRC_PRIVATE_KEY_FILE: key.secretKeyFile, TMPDIR: scratch };
    const { dir: pgDir } = { dir: path.join(dir, 'pg') };
    const [node, entry] = [drcCommand().command, drcCommand().args[0]!];
    cluster = await startArchivingCluster(pgDir, `${node} ${entry} --config ${archiveConfigPath} wal push %p`);
    config = {
      sources: [{ name: 'core', type: 'postgres', url: cluster.url('app'), pitr: true, checks: [{ name: 'events exist', sql: 'SELECT count(*) > 0 FROM events', expect: true }] }],
      targets: [{ name: 'local', type: 'local', path: backups }],
      encryption: { passphraseEnv: PASS_ENV, recipients: [key.publicKeyFile] },
      stateDir: path.join(dir, 'state'),
    };
    await writeFile(configPath, JSON.stringify(config, null, 2));
    await writeFile(archiveConfigPath, JSON.stringify(config, null, 2), { mode: 0o644 });
    await chmod(archiveConfigPath, 0o644);

    await live('CREATE DATABASE app', 'postgres');
    await live('CREATE TABLE events (id int PRIMARY KEY, at timestamptz DEFAULT clock_timestamp()); CREATE TABLE keepme (k int); INSERT INTO events (id) SELECT g FROM generate_series(1, 100) g; INSERT INTO keepme VALUES (1)');
    const backup = await drc(['backup', '--base-backup']);
    expect(backup.exitCode, backup.stderr).toBe(0);
    await live('INSERT INTO events (id) SELECT g FROM generate_series(101, 150) g');
    atT = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20)); // later commits are stamped clearly after T
    await live('INSERT INTO events (id) SELECT g FROM generate_series(151, 175) g');
    await live('DROP TABLE keepme');
    await switchAndWaitArchived(cluster);
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    await cleanup?.();
  });

  const archivedSegments = async () => (await listFolder(path.join(dir, 'backups', 'archive', 'core', '00000001'))).filter((name) => /^[0-9A-F]{24}\.json$/.test(name)).sort();

  it('archive_command stores each WAL segment with its index entry, as the postgres user without any secret', async () => {
    const segments = await archivedSegments();
    expect(segments.length).toBeGreaterThanOrEqual(2);
    const entry = JSON.parse(await readFile(path.join(dir, 'backups', 'archive', 'core', '00000001', segments[0]!), 'utf8')) as Record<string, unknown>;
    expect(entry).toMatchObject({ format: 'drc-archive/1', kind: 'postgres-wal', source: 'core', encryptedTo: { passphrase: false } });
    expect(Number(await live('SELECT failed_count FROM pg_stat_archiver', 'postgres'))).toBe(0);
  });

  it('a duplicate identical push exits 0; a different file under the same name fails loudly', async () => {
    const name = await lastArchived(cluster);
    const original = path.join(cluster.dataDir, 'pg_wal', name);
    const again = await drc(['wal', 'push', original]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('already archived');
    const forged = path.join(dir, name);
    await copyFile(original, forged);
    const bytes = await readFile(forged);
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(forged, bytes);
    const different = await drc(['wal', 'push', forged]);
    expect(different.exitCode).toBe(2);
    expect(different.stderr).toContain('already holds a different');
  });

  it('restore --at T: rows before T present, later rows and the later DROP absent; the old database kept; no instance or scratch folder left', async () => {
    const result = await drc(['restore', 'latest', '--source', 'core', '--at', atT, '--yes']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await live('SELECT count(*) FROM events')).toBe('150');
    expect(await live("SELECT to_regclass('keepme') IS NOT NULL")).toBe('t');
    const kept = await live("SELECT datname FROM pg_database WHERE datname LIKE 'app_before_%'", 'postgres');
    expect(await live('SELECT count(*) FROM events', kept)).toBe('175');
    expect(await listFolder(scratch)).toEqual([]);
  }, 240_000);

  it('a failed check leaves live untouched and removes the instance, the scratch database and folder', async () => {
    const failing = path.join(dir, 'drc-failing.json');
    const sources = [{ ...(config.sources as Array<Record<string, unknown>>)[0], checks: [{ name: 'impossible', sql: 'SELECT count(*) FROM events', expect: 999 }] }];
    await writeFile(failing, JSON.stringify({ ...config, sources }));
    const before = await live('SELECT count(*) FROM events');
    const result = await runDrc(['--config', failing, 'restore', 'latest', '--source', 'core', '--at', atT, '--yes'], { env });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('impossible');
    expect(await live('SELECT count(*) FROM events')).toBe(before);
    expect(await live("SELECT count(*) FROM pg_database WHERE datname LIKE 'app_restore_%'", 'postgres')).toBe('0');
    expect(await listFolder(scratch)).toEqual([]);
  }, 240_000);

  it('SIGTERM during recovery stops the instance and removes its folder; live is untouched', async () => {
    const before = await live('SELECT count(*) FROM events');
    const { command, args } = drcCommand();
    const child = spawn(command, [...args, '--config', configPath, 'restore', 'latest', '--source', 'core', '--at', atT, '--yes'], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: 'ignore' });
    let done = false;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => ((done = true), resolve(code))));
    // Recovery has begun once the scratch instance's folder exists.
    while (!done && (await listFolder(scratch)).length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    child.kill('SIGTERM');
    expect(await exited).toBe(2);
    expect(await listFolder(scratch)).toEqual([]);
    const running = await execa('pgrep', ['-f', scratch], { reject: false });
    expect(running.stdout).toBe('');
    expect(await live('SELECT count(*) FROM events')).toBe(before);
  }, 240_000);

  it('--data-dir recovers a whole cluster that starts and serves the data as of T', async () => {
    const rebuilt = await makePostgresFolder(path.join(dir, 'rebuilt'));
    const result = await drc(['restore', 'latest', '--source', 'core', '--at', atT, '--data-dir', rebuilt, '--yes']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('start it with:');
    const socket = await makePostgresFolder(path.join(dir, 'rebuilt-socket'));
    const pgCtl = '/usr/lib/postgresql/15/bin/pg_ctl';
    const asPostgres = (argv: string[]) => execa('runuser', ['-u', 'postgres', '--', ...argv]);
    await asPostgres([pgCtl, '-D', rebuilt, '-l', path.join(socket, 'log'), '-o', `-k ${socket} -c listen_addresses= -c archive_mode=off -p 5999`, '-w', 'start']);
    try {
      const count = await asPostgres(['/usr/lib/postgresql/15/bin/psql', '-h', socket, '-p', '5999', '-U', 'postgres', '-d', 'app', '-Atc', 'SELECT count(*) FROM events']);
      expect(count.stdout).toBe('150');
    } finally {
      await asPostgres([pgCtl, '-D', rebuilt, '-m', 'fast', '-w', 'stop']);
    }
    expect(await listFolder(scratch)).toEqual([]);
  }, 240_000);

  it('a target that is down makes wal push exit non-zero and PostgreSQL retry until it is back; status says archiving fails', async () => {
    const blocked = path.join(dir, 'down-target');
    await writeFile(blocked, 'not a folder'); // every write below it fails, as a dead mount would
    const down = { ...config, targets: [...(config.targets as object[]), { name: 'down', type: 'local', path: blocked }] };
    const failedBefore = Number(await live('SELECT failed_count FROM pg_stat_archiver', 'postgres'));
    const archivedBefore = await lastArchived(cluster);
    await writeFile(archiveConfigPath, JSON.stringify(down, null, 2));
    try {
      await live('INSERT INTO events (id) VALUES (900)');
      await live('SELECT pg_switch_wal()', 'postgres');
      while (Number(await live('SELECT failed_count FROM pg_stat_archiver', 'postgres')) < failedBefore + 2) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await lastArchived(cluster)).toBe(archivedBefore);
      const status = await drc(['status']);
      expect(status.exitCode).toBe(2);
      expect(status.stdout + status.stderr).toContain('archive_command is failing');
      expect(status.stdout + status.stderr).toContain('archive_timeout is not set');
    } finally {
      await writeFile(archiveConfigPath, JSON.stringify(config, null, 2));
    }
    while ((await lastArchived(cluster)) === archivedBefore) await new Promise((resolve) => setTimeout(resolve, 100));
  }, 240_000);

  it('refuses with exit 2 a time before the oldest base backup, and a time across a deleted segment (a gap), naming the reachable range', async () => {
    const early = await drc(['restore', 'latest', '--source', 'core', '--at', '2020-01-01T00:00:00Z', '--yes']);
    expect(early.exitCode).toBe(2);
    expect(early.stderr).toContain('lies before the oldest base backup');
    await live('INSERT INTO events (id) VALUES (1000)');
    await switchAndWaitArchived(cluster);
    await live('INSERT INTO events (id) VALUES (1001)');
    await switchAndWaitArchived(cluster);
    const segments = await archivedSegments();
    const victim = segments[segments.length - 2]!.replace(/\.json$/, '');
    const folder = path.join(dir, 'backups', 'archive', 'core', '00000001');
    for (const file of await readdir(folder)) if (file.startsWith(victim)) await rm(path.join(folder, file));
    const across = await drc(['restore', 'latest', '--source', 'core', '--at', new Date().toISOString(), '--yes']);
    expect(across.exitCode).toBe(2);
    expect(across.stderr).toMatch(/gap/);
    expect(across.stderr).toContain('reachable:');
    const verify = await drc(['verify', 'latest']);
    expect(verify.exitCode).toBe(2);
    expect(verify.stderr).toMatch(/WAL chain of core: .*gap/);
    const status = await drc(['status']);
    expect(status.stdout + status.stderr).toMatch(/WAL gap: 1 segment\(s\) missing/);
  }, 240_000);
});

import { execa } from 'execa';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findFreePort } from '../../src/demo/free-port.js';
import { findMariaDb, startMariaDb, type MariaServer } from '../../src/demo/mariadb-server.js';
import { drcCommand, runDrc } from '../helpers/drc.js';
import { makeTempDir } from '../helpers/tmp.js';

const DB_PASSWORD = 'pitr-db-secret-5e1c9a';
const PASSPHRASE = 'pitr-passphrase-0b7d42';
const env = { APP_DB_PASSWORD: DB_PASSWORD, DRC_PASSPHRASE: PASSPHRASE };

let tmp: { dir: string; cleanup: () => Promise<void> };
let server: MariaServer;
let port: number;
let configPath: string;
let backupDir: string;
let stateDir: string;

/** The privileges README "Point-in-time recovery" documents for the backup user, and no more. */
const GRANTS =
  'SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES, RELOAD, REPLICATION SLAVE, BINLOG MONITOR, BINLOG REPLAY, ' +
  'CREATE, DROP, ALTER, INSERT, UPDATE, DELETE, INDEX, CREATE VIEW, CREATE ROUTINE, ALTER ROUTINE, REFERENCES';

async function sql<T = unknown>(statement: string): Promise<T> {
  const connection = await mysql.createConnection({ socketPath: server.socket, user: 'root', database: 'app', multipleStatements: true });
  try {
    return (await connection.query(statement))[0] as T;
  } finally {
    await connection.end();
  }
}

const drc = (...args: string[]) => runDrc(['--config', configPath, ...args], { env });
const ids = async (table: string) => (await sql<Array<{ id: number }>>(`SELECT id FROM ${table} ORDER BY id`)).map((row) => row.id);

/** Waits until the wall clock enters a new second, and returns that second: a clean point in time for 1-second binlog stamps. */
async function nextWholeSecond(): Promise<Date> {
  const start = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === start) await new Promise((resolve) => setTimeout(resolve, 20));
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

beforeAll(async () => {
  tmp = await makeTempDir('drc-pitr-');
  const tools = await findMariaDb();
  if (!tools) throw new Error('mariadbd and mariadb-install-db are needed for the PITR tests');
  port = await findFreePort();
  server = await startMariaDb(path.join(tmp.dir, 'mariadb'), tools, { binlog: true, port });
  await server.query(undefined, `CREATE DATABASE app; CREATE USER 'drc'@'127.0.0.1' IDENTIFIED BY '${DB_PASSWORD}'; GRANT ${GRANTS} ON *.* TO 'drc'@'127.0.0.1';`);
  await sql(`CREATE TABLE calls (id INT PRIMARY KEY, note VARCHAR(40)) ENGINE=InnoDB;
             CREATE TABLE bookings (id INT PRIMARY KEY, who VARCHAR(40)) ENGINE=InnoDB;
             INSERT INTO calls VALUES (1, 'dumped'), (2, 'dumped'); INSERT INTO bookings VALUES (1, 'dumped');`);
  backupDir = path.join(tmp.dir, 'backups');
  stateDir = path.join(tmp.dir, 'state');
  configPath = path.join(tmp.dir, 'drc.json');
  await writeFile(
    configPath,
    JSON.stringify({
      sources: [{ name: 'app-db', type: 'mysql', url: `mysql://drc@127.0.0.1:${port}/app`, passwordEnv: 'APP_DB_PASSWORD' }],
      targets: [{ name: 'local', type: 'local', path: backupDir }],
      encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
      objectives: { rpo: '1h' },
      stateDir,
    }),
  );
});

afterAll(async () => {
  await server?.stop();
  await tmp?.cleanup();
});

describe('point-in-time recovery against a MariaDB with log_bin and ROW binlogs', () => {
  let t: Date;

  test('the dump records its binlog coordinates; archive ships the closed binlogs; a second run is a no-op', async () => {
    const backup = await drc('backup');
    expect(backup.exitCode).toBe(0);
    const setDir = (await readdir(backupDir)).find((name) => name !== 'archive')!;
    const manifest = JSON.parse(await readFile(path.join(backupDir, setDir, 'manifest.json'), 'utf8'));
    expect(manifest.items[0].binlog).toMatchObject({ file: expect.stringMatching(/^mysql-bin\.\d{6}$/), position: expect.any(Number), format: 'ROW' });
    expect(manifest.items[0].pitr).toEqual({ enabled: true });

    await sql(`INSERT INTO calls VALUES (3, 'before T'), (4, 'before T'); INSERT INTO bookings VALUES (2, 'before T');`);
    t = await nextWholeSecond();
    await nextWholeSecond();
    await sql(`INSERT INTO calls VALUES (5, 'after T'); INSERT INTO bookings VALUES (3, 'after T');`);
    await sql('DROP TABLE calls');

    const first = await drc('--json', 'archive', '--once');
    expect(first.exitCode, first.stderr).toBe(0);
    const archived = (first.events.at(-1)!.data as { results: Array<{ archived: string[] }> }).results[0]!.archived;
    expect(archived.length).toBeGreaterThan(0);
    const second = await drc('--json', 'archive', '--once');
    expect(second.exitCode).toBe(0);
    expect((second.events.at(-1)!.data as { results: Array<{ archived: string[] }> }).results[0]!.archived).toEqual([]);
    const files = await readdir(path.join(backupDir, 'archive', 'app-db'));
    expect(files).toContain('RESTORE.md');
    for (const name of archived) expect(files).toEqual(expect.arrayContaining([`${name}.zst.gpg`, `${name}.json`]));
  });

  test('restore --at T: rows written before T are back, none written after; the plan names dump, binlogs, stop point and time zone', async () => {
    const run = await drc('restore', 'latest', '--source', 'app-db', '--at', t.toISOString(), '--yes');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/dump: set \S+, finished .*snapshot at mysql-bin\.\d{6}:\d+/);
    expect(run.stderr).toMatch(/replay: \d+ archived binlog\(s\), mysql-bin\.\d{6}:\d+ → mysql-bin\.\d{6}/);
    expect(run.stderr).toContain(`stop before the first event stamped at or after ${t.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    expect(run.stderr).toMatch(/server time zone: SYSTEM/);
    expect(await ids('calls')).toEqual([1, 2, 3, 4]);
    expect(await ids('bookings')).toEqual([1, 2]);
  });

  test('drc binlog find locates the DROP; restore --before it brings back every row up to the DROP', async () => {
    const found = await drc('--json', 'binlog', 'find', '--source', 'app-db', '--grep', 'DROP TABLE calls');
    expect(found.exitCode, found.stderr).toBe(0);
    const events = (found.events.at(-1)!.data as { events: Array<{ file: string; position: number; text: string }> }).events;
    // The DROP done by the test; the restore's own swap is not a DROP TABLE of `calls` in database app.
    const drop = events.find((event) => /DROP TABLE/i.test(event.text))!;
    expect(drop).toBeDefined();
    expect(found.events.at(-1)!.summary).toContain(`--before ${drop.file}:${drop.position}`);
    await sql('DROP TABLE calls'); // the same mistake again after the last restore, so there is something to undo
    const run = await drc('restore', 'latest', '--source', 'app-db', '--before', `${drop.file}:${drop.position}`, '--yes');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(`stop just before the event at ${drop.file}:${drop.position}`);
    expect(await ids('calls')).toEqual([1, 2, 3, 4, 5]);
    expect(await ids('bookings')).toEqual([1, 2, 3]);
  });

  test('status takes the RPO from the newest archived binlog event', async () => {
    const status = await drc('status');
    expect(status.stdout).toMatch(/rpo_app-db=\d+s/);
    expect(status.stdout).toMatch(/OK: app-db: point-in-time recovery on, \d+ binlog\(s\) archived/);
  });

  test('no secret in the archive index, the state folder, the output, or any child process argv', async () => {
    // Wrappers first on PATH record the argv of every MariaDB tool drc starts, then run the real one.
    const bin = path.join(tmp.dir, 'bin');
    const argvLog = path.join(tmp.dir, 'argv.log');
    await mkdir(bin, { recursive: true });
    for (const tool of ['mariadb-binlog', 'mariadb', 'mariadb-dump']) {
      const real = (await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim();
      await writeFile(path.join(bin, tool), `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >> '${argvLog}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    }
    const withWrappers = { ...env, PATH: `${bin}:${process.env.PATH}` };
    await sql('INSERT INTO bookings VALUES (100, "follow")');
    const { command, args } = drcCommand();
    const follower = execa(command, [...args, '--config', configPath, 'archive', '--follow', '--interval', '1s'], { env: { ...withWrappers, NO_COLOR: '1' }, reject: false });
    const deadline = Date.now() + 60_000;
    while (!(await readFile(argvLog, 'utf8').catch(() => '')).includes('mariadb-binlog') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    // One archiver per source: a second one is refused while --follow holds the lock.
    const second = await drc('archive', '--once');
    expect(second.exitCode, second.stderr).toBe(1);
    expect(second.stderr).toMatch(/another "drc archive --source app-db" is running/);
    follower.kill('SIGTERM');
    const ended = await follower;
    const backupRun = await runDrc(['--config', configPath, 'backup'], { env: withWrappers });
    expect(backupRun.exitCode, backupRun.stderr).toBe(0);
    const argv = await readFile(argvLog, 'utf8');
    expect(argv).toMatch(/mariadb-binlog --read-from-remote-server --raw .*--user=drc/);
    expect(argv).toMatch(/mariadb-dump .*--master-data=2 --gtid/);
    expect(argv).not.toContain(DB_PASSWORD);
    expect(argv).not.toContain(PASSPHRASE);
    const { stdout } = await execa('grep', ['-rlF', '-e', DB_PASSWORD, '-e', PASSPHRASE, backupDir, stateDir], { reject: false });
    expect(stdout).toBe('');
    expect(`${ended.stdout}${ended.stderr}${second.stderr}${backupRun.stderr}`).not.toContain(DB_PASSWORD);
  });

  test('a killed archive leaves nothing that looks archived; the next run finishes the job', async () => {
    // Several MiB of binlog so the kill lands mid-file.
    await sql(`CREATE TABLE blobs (id INT PRIMARY KEY, b LONGBLOB) ENGINE=InnoDB`);
    for (let i = 0; i < 8; i += 1) await sql(`INSERT INTO blobs VALUES (${i}, REPEAT(SHA2(RAND(), 256), 16000))`);
    const { command, args } = drcCommand();
    const run = execa(command, [...args, '--config', configPath, 'archive', '--once'], { env: { ...process.env, ...env, NO_COLOR: '1' }, reject: false });
    const archiveDir = path.join(backupDir, 'archive', 'app-db');
    const before = new Set(await readdir(archiveDir));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const now = await readdir(archiveDir);
      if (now.some((name) => name.endsWith('.part')) || now.some((name) => !before.has(name))) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    run.kill('SIGKILL');
    await run;
    const after = await readdir(archiveDir);
    for (const name of after.filter((file) => file.endsWith('.zst.gpg'))) {
      // Every data file with an entry is whole; no entry without its data file.
      const entry = name.replace(/\.zst\.gpg$/, '.json');
      if (!after.includes(entry)) continue;
      const meta = JSON.parse(await readFile(path.join(archiveDir, entry), 'utf8'));
      expect((await readFile(path.join(archiveDir, name))).length).toBe(meta.storedBytes);
    }
    for (const entry of after.filter((file) => file.endsWith('.json'))) expect(after).toContain(entry.replace(/\.json$/, '.zst.gpg'));
    const next = await drc('--json', 'archive', '--once');
    expect(next.exitCode, next.stderr).toBe(0);
    const again = await drc('--json', 'archive', '--once');
    expect((again.events.at(-1)!.data as { results: Array<{ archived: string[] }> }).results[0]!.archived).toEqual([]);
  });

  test('a binlog purged before it was archived is a gap: CRITICAL in status, and a restore across it exits 2 naming its time range', async () => {
    await sql(`INSERT INTO bookings VALUES (200, 'lost')`);
    await sql('FLUSH BINARY LOGS');
    await sql(`INSERT INTO bookings VALUES (201, 'lost too')`);
    await sql('FLUSH BINARY LOGS');
    const [current] = await sql<Array<{ File: string }>>('SHOW MASTER STATUS');
    await sql(`PURGE BINARY LOGS TO '${current!.File}'`);
    await sql(`INSERT INTO bookings VALUES (202, 'after the gap')`);
    const archive = await drc('archive', '--once');
    expect(archive.exitCode, archive.stderr).toBe(2);
    expect(archive.stderr).toMatch(/archive gap: \d+ file\(s\) missing between mysql-bin\.\d+ and mysql-bin\.\d+/);
    const status = await drc('status');
    expect(status.exitCode).toBe(2);
    expect(status.stdout).toMatch(/CRITICAL: app-db: archive gap/);
    const liveBefore = await ids('bookings');
    const restore = await drc('restore', 'latest', '--source', 'app-db', '--at', new Date().toISOString(), '--yes');
    expect(restore.exitCode).toBe(2);
    expect(restore.stderr).toMatch(/cannot replay across a gap: \d+ file\(s\) missing between .*nothing archived between \S+ and \S+/);
    expect(await ids('bookings')).toEqual(liveBefore);
    const scratch = await sql<unknown[]>("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'app\\_restore\\_%'");
    expect(scratch).toEqual([]);
  });
});

describe('a server without log_bin (the machine MariaDB)', () => {
  test('backs up as before; the manifest and drc status say point-in-time recovery is off and why', async () => {
    const { createMariaDatabase } = await import('../helpers/mariadb.js');
    const db = await createMariaDatabase('drc_pitr_off');
    const work = await makeTempDir('drc-pitr-off-');
    try {
      await db.query('CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1)');
      const config = path.join(work.dir, 'drc.json');
      await writeFile(
        config,
        JSON.stringify({
          sources: [{ name: 'plain-db', type: 'mysql', url: db.url }],
          targets: [{ name: 'local', type: 'local', path: path.join(work.dir, 'backups') }],
          encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
          stateDir: path.join(work.dir, 'state'),
        }),
      );
      const backup = await runDrc(['--config', config, 'backup'], { env });
      expect(backup.exitCode, backup.stderr).toBe(0);
      const setDir = (await readdir(path.join(work.dir, 'backups')))[0]!;
      const manifest = JSON.parse(await readFile(path.join(work.dir, 'backups', setDir, 'manifest.json'), 'utf8'));
      expect(manifest.items[0].pitr).toEqual({ enabled: false, reason: expect.stringContaining('log_bin is OFF') });
      expect(manifest.items[0].binlog).toBeUndefined();
      const status = await runDrc(['--config', config, 'status'], { env });
      expect(status.stdout).toContain('OK: plain-db: point-in-time recovery is OFF: the server runs without a binary log (log_bin is OFF)');
      const archive = await runDrc(['--config', config, 'archive', '--once'], { env });
      expect(archive.exitCode).toBe(1);
      expect(archive.stderr).toContain('point-in-time recovery is off');
    } finally {
      await db.drop();
      await work.cleanup();
    }
  });
});

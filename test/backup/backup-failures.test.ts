import { execa } from 'execa';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { drcCommand, runDrc } from '../helpers/drc.js';
import { seedMaria, seedPostgres, writeJson } from '../helpers/fixtures.js';
import { createMariaDatabase, mariaAdmin, type TestMariaDatabase } from '../helpers/mariadb.js';
import { createPgDatabase, pgAdminQuery, type TestPgDatabase } from '../helpers/postgres.js';
import { makeTempDir, uniqueSuffix } from '../helpers/tmp.js';

const env = { DRC_PASSPHRASE: 'failure-tests-passphrase' };

/** Set folders on a local target, and which of them have a manifest (i.e. look complete). */
async function listSets(dir: string): Promise<Array<{ id: string; complete: boolean; files: string[] }>> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(
    names.sort().map(async (id) => {
      const files = await readdir(path.join(dir, id));
      return { id, complete: files.includes('manifest.json'), files };
    }),
  );
}

describe('drc backup when something fails', () => {
  let pgDb: TestPgDatabase;
  let mariaDb: TestMariaDatabase;
  let work: { dir: string; cleanup: () => Promise<void> };
  const mysqlUser = `drc_pw_${uniqueSuffix()}`.slice(0, 30);

  beforeAll(async () => {
    [pgDb, mariaDb] = await Promise.all([createPgDatabase(), createMariaDatabase()]);
    await Promise.all([seedPostgres(pgDb, 50), seedMaria(mariaDb, 50)]);
    const admin = await mariaAdmin();
    await admin.query(`CREATE USER '${mysqlUser}'@'localhost' IDENTIFIED BY 'right-Passw0rd!'; GRANT ALL ON \`${mariaDb.name}\`.* TO '${mysqlUser}'@'localhost'`);
    await admin.end();
  });

  afterAll(async () => {
    const admin = await mariaAdmin();
    await admin.query(`DROP USER IF EXISTS '${mysqlUser}'@'localhost'`);
    await admin.end();
    await Promise.all([pgDb?.drop(), mariaDb?.drop()]);
  });

  let workDirs: Array<{ cleanup: () => Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(workDirs.map((entry) => entry.cleanup()));
    workDirs = [];
  });

  async function setup(sources: unknown[], targets?: unknown[]) {
    work = await makeTempDir();
    workDirs.push(work);
    const config = path.join(work.dir, 'drc.json');
    await writeJson(config, {
      sources,
      targets: targets ?? [{ name: 'local', type: 'local', path: path.join(work.dir, 'backups') }],
      encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
      stateDir: path.join(work.dir, 'state'),
    });
    return { config, backups: path.join(work.dir, 'backups') };
  }

  const mysqlUrl = () => `mysql://${mysqlUser}@localhost/${mariaDb.name}?socket=/run/mysqld/mysqld.sock`;

  it('a wrong database password fails that source with the tool’s own message; the rest land in a set marked partial, exit 2', async () => {
    const { config, backups } = await setup([
      { name: 'core-db', type: 'postgres', url: pgDb.url },
      { name: 'app-db', type: 'mysql', url: mysqlUrl(), passwordEnv: 'APP_DB_PASSWORD' },
    ]);
    const run = await runDrc(['--config', config, 'backup'], { env: { ...env, APP_DB_PASSWORD: 'wrong-Passw0rd!' } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/app-db: cannot connect to MySQL\/MariaDB database .*Access denied for user/);
    expect(run.stderr).toMatch(/backup PARTIAL: set .* failed: app-db/);
    expect(run.stderr).not.toContain('wrong-Passw0rd!');
    const sets = await listSets(backups);
    expect(sets).toHaveLength(1);
    const manifest = JSON.parse(await readFile(path.join(backups, sets[0]!.id, 'manifest.json'), 'utf8'));
    expect(manifest.status).toBe('partial');
    expect(manifest.items.map((item: { source: string }) => item.source)).toEqual(['core-db', 'drc.config', 'drc.system']);
    expect(manifest.failures[0]).toMatchObject({ source: 'app-db', type: 'mysql' });
    expect(sets[0]!.files).not.toContain('app-db.sql.zst.gpg');
  });

  it('the right password from the env var works and never appears in the set', async () => {
    const { config, backups } = await setup([{ name: 'app-db', type: 'mysql', url: mysqlUrl(), passwordEnv: 'APP_DB_PASSWORD' }]);
    const run = await runDrc(['--config', config, 'backup'], { env: { ...env, APP_DB_PASSWORD: 'right-Passw0rd!' } });
    expect(run.exitCode, run.stderr).toBe(0);
    const { stdout } = await execa('grep', ['-rlF', '-e', 'right-Passw0rd!', '-e', env.DRC_PASSPHRASE, work.dir], { reject: false });
    expect(stdout.split('\n').filter((file) => file && !file.endsWith('drc.json'))).toEqual([]);
    expect((await listSets(backups))[0]!.complete).toBe(true);
  });

  it('a server that is down fails with a clear message and writes no set at all', async () => {
    const { config, backups } = await setup([{ name: 'core-db', type: 'postgres', url: `postgres://postgres@127.0.0.1:1/${pgDb.name}` }]);
    const run = await runDrc(['--config', config, 'backup'], { env });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/core-db: cannot connect to PostgreSQL database .*ECONNREFUSED/);
    expect(run.stderr).toMatch(/backup FAILED: no set written/);
    expect(await listSets(backups)).toEqual([]);
  });

  it('a pg_dump error (permission denied on a table) is reported with pg_dump’s stderr', async () => {
    const role = `drc_ro_${uniqueSuffix()}`.slice(0, 30);
    await pgAdminQuery(`CREATE ROLE ${role} LOGIN`);
    await pgDb.query(`GRANT SELECT ON companies TO ${role}`);
    try {
      const { config, backups } = await setup([{ name: 'core-db', type: 'postgres', url: `postgres://${role}@/${pgDb.name}?host=/var/run/postgresql` }]);
      const run = await runDrc(['--config', config, 'backup'], { env });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/core-db: pg_dump failed: .*permission denied for table/);
      expect(await listSets(backups)).toEqual([]);
    } finally {
      await pgAdminQuery(`DROP OWNED BY ${role}`, []).catch(() => {});
      await pgDb.query(`REVOKE ALL ON companies FROM ${role}`).catch(() => {});
      await pgAdminQuery(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
    }
  });

  it.each([
    ['truncated', `"$REAL" "$@" | head -c 300; exit 0`],
    ['empty', `exit 0`],
  ])('a dump that exits 0 but is %s is refused: no trailer, no set', async (_label, body) => {
    const { config, backups } = await setup([{ name: 'app-db', type: 'mysql', url: mariaDb.url }]);
    const fakeBin = path.join(work.dir, 'bin');
    await mkdir(fakeBin);
    const real = (await execa('bash', ['-c', 'command -v mariadb-dump'])).stdout.trim();
    await writeFile(path.join(fakeBin, 'mariadb-dump'), `#!/bin/bash\nREAL=${real}\n${body}\n`);
    await chmod(path.join(fakeBin, 'mariadb-dump'), 0o755);
    const run = await runDrc(['--config', config, 'backup'], { env: { ...env, PATH: `${fakeBin}:${process.env.PATH}` } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/app-db: the dump exited 0 but lacks its "-- Dump completed" trailer/);
    expect(await listSets(backups)).toEqual([]);
  });

  it('a compressor that dies mid-stream (broken pipe) fails the item and leaves no set', async () => {
    const { config, backups } = await setup([{ name: 'core-db', type: 'postgres', url: pgDb.url }]);
    const fakeBin = path.join(work.dir, 'bin');
    await mkdir(fakeBin);
    await writeFile(path.join(fakeBin, 'zstd'), '#!/bin/bash\nhead -c 3000 > /dev/null\necho "zstd: killed" >&2\nexit 1\n');
    await chmod(path.join(fakeBin, 'zstd'), 0o755);
    const run = await runDrc(['--config', config, 'backup'], { env: { ...env, PATH: `${fakeBin}:${process.env.PATH}` } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/core-db: backup failed \(.*zstd.*: zstd: killed\)/);
    expect(run.stderr).toMatch(/backup FAILED: no set written/);
    expect(await listSets(backups)).toEqual([]);
  });

  it('a run stopped by SIGTERM after its first source leaves no set, not a partial one', async () => {
    const { config, backups } = await setup([
      { name: 'first', type: 'mysql', url: mariaDb.url },
      { name: 'second', type: 'mysql', url: mariaDb.url },
    ]);
    const fakeBin = path.join(work.dir, 'bin');
    await mkdir(fakeBin);
    const real = (await execa('bash', ['-c', 'command -v mariadb-dump'])).stdout.trim();
    // The first dump is real; the second hangs, so the signal arrives with one item written.
    const marker = path.join(work.dir, 'first-done');
    await writeFile(path.join(fakeBin, 'mariadb-dump'), `#!/bin/bash\n[ "$1" = --version ] && exec "${real}" --version\nif [ -e "${marker}" ]; then exec sleep 60; fi\ntouch "${marker}"\nexec "${real}" "$@"\n`);
    await chmod(path.join(fakeBin, 'mariadb-dump'), 0o755);
    const { command, args } = drcCommand();
    const running = execa(command, [...args, '--config', config, 'backup'], { env: { ...env, PATH: `${fakeBin}:${process.env.PATH}` }, reject: false });
    await waitFor(async () => (await listSets(backups)).some((set) => set.files.includes('first.sql.zst.gpg') && set.files.some((f) => f.startsWith('second'))));
    running.kill('SIGTERM');
    const result = await running;
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/backup interrupted: set \S+ was removed/);
    expect(await listSets(backups)).toEqual([]);
  });

  it('a full disk leaves no half-written set and the earlier good set untouched', async () => {
    const { config, backups } = await setup([
      { name: 'small', type: 'mysql', url: mariaDb.url },
      { name: 'big', type: 'postgres', url: pgDb.url },
    ]);
    await pgDb.query(`CREATE TABLE noise AS SELECT g, md5(random()::text) || md5(random()::text) AS a FROM generate_series(1, 60000) g`);
    await mkdir(backups);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', backups]);
    try {
      const good = await runDrc(['--config', config, 'backup', '--source', 'small'], { env });
      expect(good.exitCode, good.stderr).toBe(0);
      const before = await listSets(backups);
      const run = await runDrc(['--config', config, 'backup', '--source', 'big'], { env });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/target local: disk full while writing .*big\.dump\.zst\.gpg/);
      expect(run.stderr).toMatch(/free space on the target/);
      expect(await listSets(backups)).toEqual(before);
    } finally {
      await execa('umount', [backups]);
      await pgDb.query('DROP TABLE noise');
    }
  });

  it('one run at a time: a second backup names the running one; a killed run’s debris is removed by the next run', async () => {
    const { config, backups } = await setup([{ name: 'app-db', type: 'mysql', url: mariaDb.url }]);
    const fakeBin = path.join(work.dir, 'bin');
    await mkdir(fakeBin);
    const real = (await execa('bash', ['-c', 'command -v mariadb-dump'])).stdout.trim();
    // A dump that hangs half-way, like one stuck on a lock: long enough to race and to kill.
    await writeFile(path.join(fakeBin, 'mariadb-dump'), `#!/bin/bash\n"${real}" "$@" | head -c 2000\nsleep 60\n`);
    await chmod(path.join(fakeBin, 'mariadb-dump'), 0o755);
    const { command, args } = drcCommand();
    const first = execa(command, [...args, '--config', config, 'backup'], {
      env: { ...env, PATH: `${fakeBin}:${process.env.PATH}` },
      reject: false,
    });
    await waitFor(async () => (await listSets(backups)).some((set) => set.files.some((file) => file.endsWith('.part'))));

    const second = await runDrc(['--config', config, 'backup'], { env });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain(`another "drc backup" is running (pid ${first.pid}`);

    // Nothing on the command line of any process carries a secret while the dump runs.
    const cmdlines = await execa('bash', ['-c', 'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "'], { reject: false });
    expect(cmdlines.stdout).not.toContain(env.DRC_PASSPHRASE);

    first.kill('SIGKILL');
    await first;
    const debris = await listSets(backups);
    expect(debris).toHaveLength(1);
    expect(debris[0]!.complete).toBe(false);

    const third = await runDrc(['--config', config, 'backup'], { env });
    expect(third.exitCode, third.stderr).toBe(0);
    expect(third.stderr).toContain(`removed incomplete set ${debris[0]!.id}`);
    const after = await listSets(backups);
    expect(after).toHaveLength(1);
    expect(after[0]!.complete).toBe(true);
    expect(after[0]!.id).not.toBe(debris[0]!.id);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not met in time');
}

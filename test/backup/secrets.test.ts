import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drcCommand, runDrc } from '../helpers/drc.js';
import { seedMaria, writeJson } from '../helpers/fixtures.js';
import { createMariaDatabase, mariaAdmin, type TestMariaDatabase } from '../helpers/mariadb.js';
import { S3_TEST_SECRET, startS3rver, type TestS3rver } from '../helpers/s3rver.js';
import { makeTempDir, uniqueSuffix } from '../helpers/tmp.js';

const PASSPHRASE = 'secrets-test-passphrase-7Hq';
const DB_PASSWORD = 'Db-Passw0rd-never-shown';

/** Every file below `dirs` that contains one of `secrets` in clear (binary files included). */
async function filesContaining(dirs: string[], secrets: string[]): Promise<string[]> {
  const args = ['-rlaF', ...secrets.flatMap((secret) => ['-e', secret]), ...dirs];
  const { stdout } = await execa('grep', args, { reject: false });
  return stdout.split('\n').filter(Boolean);
}

describe('secrets stay secret', () => {
  let db: TestMariaDatabase;
  let s3: TestS3rver;
  let work: { dir: string; cleanup: () => Promise<void> };
  const user = `drc_sec_${uniqueSuffix()}`.slice(0, 30);
  let env: Record<string, string>;
  let config: string;

  beforeAll(async () => {
    [db, s3, work] = await Promise.all([createMariaDatabase(), startS3rver(), makeTempDir()]);
    await seedMaria(db, 20);
    const admin = await mariaAdmin();
    await admin.query(`CREATE USER '${user}'@'localhost' IDENTIFIED BY '${DB_PASSWORD}'; GRANT ALL ON \`${db.name}\`.* TO '${user}'@'localhost'`);
    await admin.end();
    env = { DRC_PASSPHRASE: PASSPHRASE, APP_DB_PASSWORD: DB_PASSWORD, ...s3.env };
    config = path.join(work.dir, 'drc.json');
    await writeJson(config, {
      sources: [{ name: 'app-db', type: 'mysql', url: `mysql://${user}@localhost/${db.name}?socket=/run/mysqld/mysqld.sock`, passwordEnv: 'APP_DB_PASSWORD' }],
      targets: [{ name: 'local', type: 'local', path: path.join(work.dir, 'backups') }, s3.targetConfig('prod')],
      encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
      stateDir: path.join(work.dir, 'state'),
    });
  });
  afterAll(async () => {
    const admin = await mariaAdmin();
    await admin.query(`DROP USER IF EXISTS '${user}'@'localhost'`);
    await admin.end();
    await Promise.all([db?.drop(), s3?.stop(), work?.cleanup()]);
  });

  it('the passphrase, the DB password and the S3 secret appear in no output, set, state or process argument', async () => {
    // A dump that holds still until the process table has been read, so drc and its tools are
    // looked at while they run: it says it started, then waits for the test's go-ahead.
    const fakeBin = path.join(work.dir, 'bin');
    await mkdir(fakeBin, { recursive: true });
    const started = path.join(work.dir, 'dump-started');
    const proceed = path.join(work.dir, 'dump-proceed');
    const real = (await execa('bash', ['-c', 'command -v mariadb-dump'])).stdout.trim();
    await writeFile(path.join(fakeBin, 'mariadb-dump'), `#!/bin/bash\ntouch "${started}"\nwhile [ ! -e "${proceed}" ]; do sleep 0.05; done\nexec "${real}" "$@"\n`);
    await chmod(path.join(fakeBin, 'mariadb-dump'), 0o755);
    const { command, args } = drcCommand();
    const running = execa(command, [...args, '--config', config, '--json', 'backup'], { env: { ...env, PATH: `${fakeBin}:${process.env.PATH}` }, reject: false });
    await expect.poll(() => existsSync(started), { timeout: 300_000, interval: 50 }).toBe(true);
    const processes = (await execa('bash', ['-c', 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f" 2>/dev/null; echo; done'], { reject: false })).stdout;
    await writeFile(proceed, '');
    const result = await running;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(processes).toContain(path.join(fakeBin, 'mariadb-dump')); // the dump really was running when we looked

    const secrets = [PASSPHRASE, DB_PASSWORD, S3_TEST_SECRET];
    for (const secret of secrets) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
      expect(processes).not.toContain(secret);
    }
    expect(await filesContaining([path.join(work.dir, 'backups'), path.join(work.dir, 'state'), s3.dir], secrets)).toEqual([]);
  }, 360_000);

  it('a playbook step that asks for a secret by name and prints it has it masked in its output, journal and post-mortem', async () => {
    const playbook = path.join(work.dir, 'leaky.md');
    await writeFile(
      playbook,
      ['---', 'id: leaky', 'title: Leaky step', 'severity: low', '---', '# Leaky', '', '## Print the environment', '```sh', 'echo "password is ${APP_DB_PASSWORD}"', '```', ''].join('\n'),
    );
    const run = await runDrc(['--config', config, 'run', playbook, '--yes'], { env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('password is ********');
    const incident = /incident (\S+): Leaky step/.exec(run.stderr)![1]!;
    const report = await runDrc(['--config', config, 'postmortem', incident], { env });
    expect(report.exitCode, report.stderr).toBe(0);
    expect(await filesContaining([path.join(work.dir, 'state')], [DB_PASSWORD, PASSPHRASE])).toEqual([]);
  });
});

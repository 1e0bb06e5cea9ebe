import { execa } from 'execa';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrc } from '../helpers/drc.js';
import { seedMaria } from '../helpers/fixtures.js';
import { createMariaDatabase, mariaAdmin, type TestMariaDatabase } from '../helpers/mariadb.js';
import { makeTempDir, uniqueSuffix } from '../helpers/tmp.js';

const PASSPHRASE = 'environ-test-passphrase-4Kd';
const DB_PASSWORD = 'environ-Db-Passw0rd';
const S3_SECRET = 'environ-s3-secret-never-given';
const API_TOKEN = 'environ-unrelated-api-token';

/**
 * Every tool drc starts is wrapped by a script that copies its own /proc/<pid>/environ (the
 * environment drc gave it) to a log before exec'ing the real tool, so no child is missed,
 * however short-lived.
 */
async function wrapTools(bin: string, log: string, tools: string[]): Promise<void> {
  await mkdir(bin, { recursive: true });
  await mkdir(log, { recursive: true });
  for (const tool of tools) {
    const real = (await execa('bash', ['-c', `command -v ${tool}`])).stdout.trim();
    await writeFile(path.join(bin, tool), `#!/bin/sh\ncat /proc/$$/environ > '${log}/${tool}.'$$\nexec '${real}' "$@"\n`);
    await chmod(path.join(bin, tool), 0o755);
  }
}

async function readEnvirons(log: string): Promise<Array<{ tool: string; env: Map<string, string> }>> {
  const result: Array<{ tool: string; env: Map<string, string> }> = [];
  for (const file of await readdir(log)) {
    const text = await readFile(path.join(log, file), 'utf8');
    const env = new Map(
      text
        .split('\0')
        .filter(Boolean)
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as [string, string]),
    );
    result.push({ tool: file.slice(0, file.lastIndexOf('.')), env });
  }
  return result;
}

describe('children get only what they need (/proc/<pid>/environ)', () => {
  let db: TestMariaDatabase;
  let work: { dir: string; cleanup: () => Promise<void> };
  const user = `drc_env_${uniqueSuffix()}`.slice(0, 30);
  let config: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    [db, work] = await Promise.all([createMariaDatabase('drc_environ'), makeTempDir('drc-environ-')]);
    await seedMaria(db, 5);
    const admin = await mariaAdmin();
    await admin.query(`CREATE USER '${user}'@'localhost' IDENTIFIED BY '${DB_PASSWORD}'; GRANT ALL ON *.* TO '${user}'@'localhost'`);
    await admin.end();
    const files = path.join(work.dir, 'files');
    await mkdir(files);
    await writeFile(path.join(files, 'a.txt'), 'a\n');
    config = path.join(work.dir, 'drc.json');
    await writeFile(
      config,
      JSON.stringify({
        sources: [
          { name: 'app-db', type: 'mysql', url: `mysql://${user}@localhost/${db.name}?socket=/run/mysqld/mysqld.sock`, passwordEnv: 'APP_DB_PASSWORD' },
          { name: 'app', type: 'files', paths: [files] },
        ],
        targets: [{ name: 'local', type: 'local', path: path.join(work.dir, 'backups') }],
        encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
        stateDir: path.join(work.dir, 'state'),
      }),
    );
    const bin = path.join(work.dir, 'bin');
    await wrapTools(bin, path.join(work.dir, 'environ'), ['mariadb-dump', 'mariadb', 'zstd', 'tar']);
    env = {
      DRC_PASSPHRASE: PASSPHRASE,
      APP_DB_PASSWORD: DB_PASSWORD,
      DRC_TEST_S3_SECRET_VALUE: S3_SECRET,
      SOME_API_TOKEN: API_TOKEN,
      PATH: `${bin}:${process.env.PATH}`,
    };
  });

  afterAll(async () => {
    const admin = await mariaAdmin();
    await admin.query(`DROP USER IF EXISTS '${user}'@'localhost'`);
    await admin.end();
    await Promise.all([db?.drop(), work?.cleanup()]);
  });

  // Three real drc runs (backup, restore, playbook): slower than one test's default budget on a busy machine.
  it('during a backup, a restore and a playbook run no child holds a secret it does not need', { timeout: 360_000 }, async () => {
    const backup = await runDrc(['--config', config, 'backup'], { env });
    expect(backup.exitCode, backup.stderr).toBe(0);
    const restore = await runDrc(['--config', config, 'restore', 'latest', '--source', 'app-db', '--into', `${db.name}_copy`, '--yes'], { env });
    expect(restore.exitCode, restore.stderr).toBe(0);
    const playbook = path.join(work.dir, 'env.md');
    const stepEnviron = path.join(work.dir, 'step-environ');
    await writeFile(
      playbook,
      ['---', 'id: show-env', 'title: Show env', 'severity: low', `vars: { out: "${stepEnviron}" }`, '---', '# Show env', '', '## Copy my environment', '```sh', 'cat /proc/$$/environ > "${out}"', '```', ''].join('\n'),
    );
    const run = await runDrc(['--config', config, 'run', playbook, '--yes'], { env });
    expect(run.exitCode, run.stderr).toBe(0);

    const children = await readEnvirons(path.join(work.dir, 'environ'));
    const tools = new Set(children.map((child) => child.tool));
    for (const tool of ['mariadb-dump', 'mariadb', 'zstd', 'tar']) expect(tools, tool).toContain(tool);
    const step = new Map(
      (await readFile(stepEnviron, 'utf8'))
        .split('\0')
        .filter(Boolean)
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as [string, string]),
    );
    children.push({ tool: 'sh step', env: step });
    expect(step.get('out')).toBe(stepEnviron); // the playbook's vars arrive as environment variables
    for (const child of children) {
      const values = [...child.env.values()].join('\n');
      for (const secret of [PASSPHRASE, S3_SECRET, API_TOKEN]) expect(values, `${child.tool} holds a secret`).not.toContain(secret);
      // Only the MySQL tools may hold the database password, as MYSQL_PWD (not for --version).
      const mayHoldDbPassword = child.tool === 'mariadb-dump' || child.tool === 'mariadb';
      const withoutPwd = [...child.env].filter(([name]) => !(mayHoldDbPassword && name === 'MYSQL_PWD')).map(([, value]) => value);
      expect(withoutPwd.join('\n'), `${child.tool} holds the database password`).not.toContain(DB_PASSWORD);
    }
    // The dump and the load did get the password they need.
    for (const tool of ['mariadb-dump', 'mariadb']) {
      expect(children.some((child) => child.tool === tool && child.env.get('MYSQL_PWD') === DB_PASSWORD), tool).toBe(true);
    }
  });
});

import { execa } from 'execa';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDrc } from '../helpers/drc.js';
import { pgAdminQuery } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';
import { makeFixture, type Fixture } from '../restore/fixture.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The ```bash blocks of a markdown document, in order. */
function bashBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```bash\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

describe('no injection through names and vars', () => {
  it('--var values reach sh steps as data: shell syntax in them is never run', async () => {
    const temp = await makeTempDir('drc-inject-');
    cleanups.push(temp.cleanup);
    const work = path.join(temp.dir, 'work');
    await mkdir(work);
    const playbook = path.join(temp.dir, 'hostile.md');
    await writeFile(
      playbook,
      [
        '---',
        'id: hostile-vars',
        'title: Hostile vars',
        'severity: low',
        'vars: { app_dir: /var/www/app, note: "" }',
        '---',
        '# Hostile vars',
        '',
        '## Write the note',
        '```sh',
        'printf \'%s\' "${note}" > note.txt',
        '```',
        '',
        '## Stop the app',
        '```sh',
        'cd ${app_dir} && echo "stopped in ${app_dir}"',
        '```',
        '',
      ].join('\n'),
    );
    const config = path.join(temp.dir, 'drc.json');
    await writeFile(
      config,
      JSON.stringify({
        sources: [{ name: 'app', type: 'files', paths: [work] }],
        targets: [{ name: 'local', type: 'local', path: path.join(temp.dir, 'backups') }],
        encryption: { passphraseEnv: 'DRC_TEST_INJECT_PASS' },
        stateDir: path.join(temp.dir, 'state'),
      }),
    );
    const note = `$(touch ./PWNED_NOTE) \`touch ./PWNED_TICK\` '; touch ./PWNED_QUOTE; '`;
    const run = await runDrc(['--config', config, 'run', playbook, '--yes', '--var', 'app_dir=/x; touch ./PWNED', '--var', `note=${note}`], {
      cwd: work,
      env: { DRC_TEST_INJECT_PASS: 'inject-test-passphrase' },
    });
    expect(run.exitCode).toBe(2); // cd to the literal "/x;" fails the step
    expect(run.stderr).toMatch(/cd: .*\/x;/);
    expect(await readFile(path.join(work, 'note.txt'), 'utf8')).toBe(note);
    expect((await readdir(work)).sort()).toEqual(['note.txt']);
  });

  it("a database named inj'$(touch ./PWNED)'x: RESTORE.md and the printed drop hint run as written and run nothing else", async () => {
    const name = `inj'$(touch ./PWNED)'x_${process.pid}`;
    const quoted = `"${name.replace(/"/g, '""')}"`;
    await pgAdminQuery(`CREATE DATABASE ${quoted}`);
    let fixture: Fixture | undefined;
    try {
      await execa('psql', ['--no-psqlrc', '-h', '/var/run/postgresql', '-U', 'postgres', '-d', name, '-c', 'CREATE TABLE t (i int); INSERT INTO t SELECT generate_series(1, 10)']);
      fixture = await makeFixture([{ name: 'evil', type: 'postgres', url: `postgres://postgres@/${encodeURIComponent(name)}?host=/var/run/postgresql` }]);
      const backup = await fixture.drc(['backup']);
      expect(backup.exitCode, backup.stderr).toBe(0);
      const setDir = await fixture.setDir();
      const doc = await readFile(path.join(setDir, 'RESTORE.md'), 'utf8');
      const gnupgHome = path.join(fixture.dir, 'gnupg');
      await mkdir(gnupgHome, { mode: 0o700 });
      const run = await execa('bash', ['-e', '-c', bashBlocks(doc).join('\n')], {
        cwd: setDir,
        input: `${fixture.env.DRC_TEST_RESTORE_PASS}\n`,
        env: { GNUPGHOME: gnupgHome },
        reject: false,
      });
      expect(run.exitCode, run.stderr).toBe(0);
      const { rows } = await pgAdminQuery('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [`${name}_restored`]);
      expect(rows[0].n).toBe(1);

      const restore = await fixture.drc(['restore', 'latest', '--source', 'evil', '--yes']);
      expect(restore.exitCode, restore.stderr).toBe(0);
      const hint = /drop it once you are sure: (.*)$/m.exec(restore.stderr)![1]!;
      const drop = await execa('bash', ['-c', hint], { cwd: setDir, env: { PATH: process.env.PATH!, PGUSER: 'postgres' }, reject: false });
      expect(drop.exitCode, drop.stderr).toBe(0);
      const { rows: before } = await pgAdminQuery('SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE $1', [`${name}_before_%`]);
      expect(before[0].n).toBe(0);
      expect((await readdir(setDir)).filter((file) => file.includes('PWNED'))).toEqual([]);
      expect((await readdir(process.cwd())).filter((file) => file.includes('PWNED'))).toEqual([]);
    } finally {
      const { rows } = await pgAdminQuery('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${name.replace(/[%_\\]/g, '\\$&')}%`]);
      for (const row of rows) await pgAdminQuery(`DROP DATABASE IF EXISTS "${String(row.datname).replace(/"/g, '""')}" WITH (FORCE)`);
      await fixture?.cleanup();
    }
  });
});

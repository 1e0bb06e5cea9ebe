import { execa } from 'execa';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestMariaDatabase } from '../helpers/mariadb.js';
import type { TestPgDatabase } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';
import { PASSPHRASE, PASSPHRASE_ENV, makeFixture, mariaDigest, pgDigest, seedMaria, seedPostgres, type Fixture } from './fixture.js';

let pgDb: TestPgDatabase | undefined;
let mariaDb: TestMariaDatabase | undefined;
let fixture: Fixture | undefined;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await pgDb?.drop();
  await mariaDb?.drop();
  await fixture?.cleanup();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The ```bash blocks of a markdown document, in order. */
function bashBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```bash\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

describe('RESTORE.md', () => {
  it('its commands, run literally with bash and GnuPG in the set folder, give back identical data', async () => {
    pgDb = await seedPostgres('drc_doc');
    mariaDb = await seedMaria('drc_doc');
    const { dir: data, cleanup } = await makeTempDir('drc-doc-files-');
    cleanups.push(cleanup);
    const app = path.join(data, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'config.php'), '<?php return [];\n');
    await chmod(path.join(app, 'config.php'), 0o600);
    fixture = await makeFixture([
      { name: 'core-db', type: 'postgres', url: pgDb.url },
      { name: 'app-db', type: 'mysql', url: mariaDb.url },
      { name: 'app', type: 'files', paths: [app] },
    ]);
    expect((await fixture.drc(['backup'])).exitCode).toBe(0);
    const setDir = await fixture.setDir();
    const doc = await readFile(path.join(setDir, 'RESTORE.md'), 'utf8');
    const blocks = bashBlocks(doc);
    expect(blocks.length).toBeGreaterThanOrEqual(5);

    const gnupgHome = path.join(fixture.dir, 'gnupg');
    await mkdir(gnupgHome, { mode: 0o700 });
    // The passphrase block reads it from the terminal: stdin stands in for the person typing.
    const run = await execa('bash', ['-e', '-c', blocks.join('\n')], {
      cwd: setDir,
      input: `${PASSPHRASE}\n`,
      env: { GNUPGHOME: gnupgHome, [PASSPHRASE_ENV]: '' },
      reject: false,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('core-db.dump.zst.gpg: OK');

    expect(await pgDigest(pgDb, `${pgDb.name}_restored`)).toEqual(await pgDigest(pgDb));
    expect(await mariaDigest(mariaDb, `${mariaDb.name}_restored`)).toEqual(await mariaDigest(mariaDb));
    const restoredFile = path.join(setDir, 'app-restored', app, 'config.php');
    expect(await readFile(restoredFile, 'utf8')).toBe('<?php return [];\n');
  });
});

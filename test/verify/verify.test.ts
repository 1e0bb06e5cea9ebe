import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pgAdminQuery, type TestPgDatabase } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';
import { makeFixture, seedPostgres, type Fixture } from '../restore/fixture.js';

let db: TestPgDatabase | undefined;
let fixture: Fixture | undefined;
let appDir: { cleanup: () => Promise<void> } | undefined;

afterEach(async () => {
  await db?.drop();
  await fixture?.cleanup();
  await appDir?.cleanup();
  db = undefined;
  fixture = undefined;
  appDir = undefined;
});

async function setUp(): Promise<{ db: TestPgDatabase; fixture: Fixture }> {
  db = await seedPostgres('drc_ver');
  const temp = await makeTempDir('drc-ver-');
  appDir = temp;
  const { dir } = temp;
  const app = path.join(dir, 'app');
  await mkdir(app);
  await writeFile(path.join(app, 'a.txt'), 'a');
  fixture = await makeFixture(
    [
      { name: 'core-db', type: 'postgres', url: db.url },
      { name: 'app', type: 'files', paths: [app] },
    ],
    {
      targets: [
        { name: 'local', type: 'local', path: path.join(dir, 'one') },
        { name: 'second', type: 'local', path: path.join(dir, 'two') },
      ],
    },
  );
  const backup = await fixture.drc(['backup']);
  expect(backup.exitCode, backup.stderr).toBe(0);
  return { db, fixture };
}

describe('drc verify', () => {
  it('checks every copy against SHA256SUMS and the manifest, and records the result', async () => {
    const { fixture } = await setUp();
    const run = await fixture.drc(['verify', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = run.events.find((event) => event.type === 'result')!;
    expect(result.summary).toMatch(/^verify OK: set .* \(local OK, second OK\)/);

    const history = (await readFile(path.join(fixture.dir, 'state/history/verifys.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(history.map((record) => [record.target, record.ok, record.deep])).toEqual([
      ['local', true, false],
      ['second', true, false],
    ]);
  });

  it('a flipped byte fails verification of that copy only, exit 2, and drc backups shows it', async () => {
    const { fixture } = await setUp();
    const file = path.join(await fixture.setDir('second'), 'core-db.dump.zst.gpg');
    const handle = await open(file, 'r+');
    await handle.write(Buffer.from([0x42]), 0, 1, 100);
    await handle.close();

    const run = await fixture.drc(['verify', 'latest']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/second: core-db\.dump\.zst\.gpg: sha256 \w+… does not match \w+…: the file is damaged/);
    expect(run.stderr).toContain('(local OK, second DAMAGED)');

    const listing = await fixture.drc(['backups']);
    expect(listing.exitCode).toBe(0);
    expect(listing.stderr).toMatch(/COMPLETE .* on local, second/);
    expect(listing.stderr).toContain('last verify FAILED');
  });

  it('--deep decrypts every item, restores the database into a scratch database, counts rows and drops it', async () => {
    const { db, fixture } = await setUp();
    const run = await fixture.drc(['verify', '--deep']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('5 table row count(s) match the manifest');
    expect(run.stderr).toMatch(/app: done, .* \(\d+ archive entries listed\)/);
    const { rows } = await pgAdminQuery('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.name}_%`]);
    expect(rows).toEqual([]);
    const listing = await fixture.drc(['backups', '--json']);
    const sets = listing.events.filter((event) => event.type === 'set');
    expect(sets).toHaveLength(1);
    expect(sets[0]).toMatchObject({ status: 'complete', targets: ['local', 'second'], lastVerify: { ok: true, deep: true } });
  });

  it('--deep with a wrong passphrase exits 2 and leaves no scratch database', async () => {
    const { db, fixture } = await setUp();
    const run = await fixture.drc(['verify', '--deep'], { DRC_TEST_RESTORE_PASS: 'definitely-not-it' });
    expect(run.exitCode).toBe(2);
    // The manifests' MAC is keyed from the passphrase: a wrong one is caught before any item is opened.
    expect(run.stderr).toContain('the passphrase set here is not the one it was written with (wrong passphrase?)');
    expect(run.stderr).toMatch(/verify --deep FAILED: set latest/);
    const { rows } = await pgAdminQuery('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.name}_%`]);
    expect(rows).toEqual([]);
  });
});

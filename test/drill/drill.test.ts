import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestMariaDatabase } from '../helpers/mariadb.js';
import { pgAdminQuery, type TestPgDatabase } from '../helpers/postgres.js';
import { makeFixture, seedMaria, seedPostgres, type Fixture } from '../restore/fixture.js';

let pgDb: TestPgDatabase | undefined;
let mariaDb: TestMariaDatabase | undefined;
let fixture: Fixture | undefined;

afterEach(async () => {
  await pgDb?.drop();
  await mariaDb?.drop();
  await fixture?.cleanup();
  pgDb = mariaDb = fixture = undefined;
});

async function drills(fixture: Fixture): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path.join(fixture.dir, 'state/history/drills.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('drc drill', () => {
  it('restores the newest set of each database into a scratch database, checks it, and records RTO and RPO', async () => {
    pgDb = await seedPostgres('drc_drill');
    mariaDb = await seedMaria('drc_drill');
    fixture = await makeFixture(
      [
        { name: 'core-db', type: 'postgres', url: pgDb.url, checks: [{ name: 'orders', sql: 'SELECT count(*) FROM orders', expect: 3000 }] },
        { name: 'app-db', type: 'mysql', url: mariaDb.url },
      ],
      { objectives: { rto: '2h', rpo: '1h' } },
    );
    expect((await fixture.drc(['backup'])).exitCode).toBe(0);

    const run = await fixture.drc(['drill']);
    expect(run.exitCode, run.stderr).toBe(0);
    const records = await drills(fixture);
    expect(records.map((record) => [record.source, record.ok])).toEqual([
      ['core-db', true],
      ['app-db', true],
    ]);
    for (const record of records) {
      expect(record.rtoMs).toBeGreaterThan(0);
      expect(record.rpoMs).toBeGreaterThanOrEqual(0);
      expect(record.objectives).toEqual({ rtoMs: 7_200_000, rpoMs: 3_600_000 });
    }
    const { rows } = await pgAdminQuery('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${pgDb.name}_%`]);
    expect(rows).toEqual([]);
    expect(run.stderr).toMatch(/drill core-db: passed; RTO [\d.]+m?s \(objective 2h\), RPO [\d.]+m?s \(objective 1h\)/);
  });

  it('a drill that misses an impossible RTO objective exits 2 and says by how much', async () => {
    pgDb = await seedPostgres('drc_drill');
    fixture = await makeFixture([{ name: 'core-db', type: 'postgres', url: pgDb.url }], { objectives: { rto: '0.001s' } });
    expect((await fixture.drc(['backup'])).exitCode).toBe(0);
    const run = await fixture.drc(['drill', '--source', 'core-db']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/drill core-db: RTO [\d.]+m?s misses the objective 0\.001s/);
    const [record] = await drills(fixture);
    expect(record).toMatchObject({ source: 'core-db', ok: false, objectives: { rtoMs: 1 } });
  });

  it('a drill of a damaged set fails, is recorded, and leaves no scratch database', async () => {
    pgDb = await seedPostgres('drc_drill');
    fixture = await makeFixture([{ name: 'core-db', type: 'postgres', url: pgDb.url }]);
    expect((await fixture.drc(['backup'])).exitCode).toBe(0);
    const handle = await open(path.join(await fixture.setDir(), 'core-db.dump.zst.gpg'), 'r+');
    const { size } = await handle.stat();
    await handle.write(Buffer.from([0x42, 0x42, 0x42, 0x42]), 0, 4, Math.floor(size / 2));
    await handle.close();

    const run = await fixture.drc(['drill']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/drill core-db: every copy of core-db\.dump\.zst\.gpg in set \S+ is damaged/);
    expect(run.stderr).toMatch(/drill core-db: FAILED; RTO —/);
    expect(await drills(fixture)).toMatchObject([{ source: 'core-db', ok: false }]);
    const { rows } = await pgAdminQuery('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${pgDb.name}_%`]);
    expect(rows).toEqual([]);
  });

  it('a drill with no backup set fails and is still recorded', async () => {
    pgDb = await seedPostgres('drc_drill');
    fixture = await makeFixture([{ name: 'core-db', type: 'postgres', url: pgDb.url }]);
    const run = await fixture.drc(['drill']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('no backup set holding source core-db');
    expect(await drills(fixture)).toMatchObject([{ source: 'core-db', ok: false }]);
  });
});

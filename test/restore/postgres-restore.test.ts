import { afterEach, describe, expect, it } from 'vitest';
import { pgAdminQuery, type TestPgDatabase } from '../helpers/postgres.js';
import { makeFixture, pgDigest, pgExec, seedPostgres, type Fixture } from './fixture.js';

let db: TestPgDatabase | undefined;
let fixture: Fixture | undefined;

afterEach(async () => {
  await db?.drop();
  await fixture?.cleanup();
  db = undefined;
  fixture = undefined;
});

async function setUp(): Promise<{ db: TestPgDatabase; fixture: Fixture }> {
  db = await seedPostgres();
  fixture = await makeFixture([{ name: 'core-db', type: 'postgres', url: db.url, checks: [{ name: 'has customers', sql: 'SELECT count(*) > 0 FROM customers', expect: true }] }]);
  const backup = await fixture.drc(['backup']);
  expect(backup.exitCode, backup.stderr).toBe(0);
  return { db, fixture };
}

async function databasesLike(pattern: string): Promise<string[]> {
  const { rows } = await pgAdminQuery('SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1', [pattern]);
  return rows.map((row) => row.datname as string);
}

describe('drc restore (PostgreSQL)', () => {
  it('brings back deleted rows and a dropped table, keeping the damaged database as <db>_before_<time>', async () => {
    const { db, fixture } = await setUp();
    const before = await pgDigest(db);
    await pgExec(db, 'DELETE FROM orders WHERE id % 3 = 0; DROP TABLE calls; DROP TABLE "Weird Name"');
    const damaged = await pgDigest(db);

    const run = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await pgDigest(db)).toEqual(before);
    const [kept] = await databasesLike(`${db.name}_before_%`);
    expect(kept).toBeDefined();
    expect(await pgDigest(db, kept)).toEqual(damaged);
    expect(run.stderr).toContain(`DROP DATABASE "${kept}"`);
    expect(await databasesLike(`${db.name}_restore_%`)).toEqual([]);
  });

  it('--table restores one table while rows written to other tables after the backup survive', async () => {
    const { db, fixture } = await setUp();
    const before = await pgDigest(db);
    await db.query(`DELETE FROM calls WHERE id <= 1000; INSERT INTO notes (body) VALUES ('written after the backup')`);

    const run = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--table', 'calls', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    const after = await pgDigest(db);
    expect(after['public.calls']).toBe(before['public.calls']);
    expect(after['public.notes']).not.toBe(before['public.notes']);
    const { rows } = await db.query(`SELECT body FROM notes WHERE body = 'written after the backup'`);
    expect(rows).toHaveLength(1);
    expect(after['public.orders']).toBe(before['public.orders']);
    // The rows it replaced are kept in a schema named after the restore.
    const { rows: kept } = await db.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${db.name}_before_%`]);
    expect(kept).toHaveLength(1);
    expect(await databasesLike(`${db.name}_restore_%`)).toEqual([]);
  });

  it('--table recreates a dropped table with its index, even one other tables referenced', async () => {
    const { db, fixture } = await setUp();
    const before = await pgDigest(db);
    await db.query('DROP TABLE calls');
    const run = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--table', 'public.calls', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await pgDigest(db))['public.calls']).toBe(before['public.calls']);
    const { rows } = await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'calls' ORDER BY 1`);
    expect(rows.map((row) => row.indexname)).toEqual(['calls_pkey', 'calls_started_idx']);
  });

  it('--into restores a copy into a new database and leaves the live one alone', async () => {
    const { db, fixture } = await setUp();
    const original = await pgDigest(db);
    await db.query('DELETE FROM customers WHERE id > 150 AND id NOT IN (SELECT customer_id FROM orders)');
    const live = await pgDigest(db);
    const into = `${db.name}_copy`;
    const run = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--into', into, '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await pgDigest(db, into)).toEqual(original);
    expect(await pgDigest(db)).toEqual(live);

    const again = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--into', into, '--yes']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`database "${into}" exists and is not empty`);
  });

  it('without a terminal it refuses to restore unless --yes is given', async () => {
    const { db, fixture } = await setUp();
    const live = await pgDigest(db);
    const run = await fixture.drc(['restore', 'latest', '--source', 'core-db']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--yes');
    expect(await pgDigest(db)).toEqual(live);
    expect(await databasesLike(`${db.name}_%`)).toEqual([]);
  });

  it('a failed smoke check stops before the swap: live untouched, scratch dropped', async () => {
    db = await seedPostgres();
    fixture = await makeFixture([{ name: 'core-db', type: 'postgres', url: db.url, checks: [{ name: 'enough calls', sql: 'SELECT count(*) FROM calls', expect: 999999 }] }]);
    expect((await fixture.drc(['backup'])).exitCode).toBe(0);
    await db.query('DELETE FROM calls WHERE id < 10');
    const live = await pgDigest(db);
    const run = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--yes']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('smoke check "enough calls": got "5000", expected 999999');
    expect(await pgDigest(db)).toEqual(live);
    expect(await databasesLike(`${db.name}_%`)).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { mariaAdmin, type TestMariaDatabase } from '../helpers/mariadb.js';
import { makeFixture, mariaDigest, seedMaria, type Fixture } from './fixture.js';

let db: TestMariaDatabase | undefined;
let fixture: Fixture | undefined;

afterEach(async () => {
  await db?.drop();
  await fixture?.cleanup();
  db = undefined;
  fixture = undefined;
});

async function setUp(): Promise<{ db: TestMariaDatabase; fixture: Fixture }> {
  db = await seedMaria();
  fixture = await makeFixture([{ name: 'app-db', type: 'mysql', url: db.url, checks: [{ sql: 'SELECT COUNT(*) FROM customers', expect: 200 }] }]);
  const backup = await fixture.drc(['backup']);
  expect(backup.exitCode, backup.stderr).toBe(0);
  return { db, fixture };
}

async function databasesLike(pattern: string): Promise<string[]> {
  const admin = await mariaAdmin();
  try {
    const [rows] = await admin.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ? ORDER BY 1', [pattern]);
    return (rows as Array<{ name: string }>).map((row) => row.name);
  } finally {
    await admin.end();
  }
}

describe('drc restore (MariaDB)', () => {
  it('brings back deleted rows and dropped tables with one atomic RENAME TABLE, keeping the old tables', async () => {
    const { db, fixture } = await setUp();
    const before = await mariaDigest(db);
    await db.query('DELETE FROM orders WHERE id % 2 = 0; DROP VIEW big_orders; DROP TABLE notes; DROP TABLE calls');
    const damaged = await mariaDigest(db);

    const run = await fixture.drc(['restore', 'latest', '--source', 'app-db', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('one atomic RENAME TABLE');
    expect(await mariaDigest(db)).toEqual(before);
    const [kept] = await databasesLike(`${db.name}\\_before\\_%`);
    expect(await mariaDigest(db, kept)).toEqual(Object.fromEntries(Object.entries(damaged).filter(([, value]) => value !== 'view')));
    expect(run.stderr).toContain(`DROP DATABASE \`${kept}\``);
    expect(await databasesLike(`${db.name}\\_restore\\_%`)).toEqual([]);
    // The restored table's trigger came back with it.
    await db.query(`INSERT INTO notes (body) VALUES ('shout')`);
    expect(await db.query<Array<{ body: string }>>(`SELECT body FROM notes WHERE body = 'SHOUT'`)).toHaveLength(1);
  });

  it('--table restores one table from its part of the dump; a row written to another table after the backup survives', async () => {
    const { db, fixture } = await setUp();
    const before = await mariaDigest(db);
    await db.query(`DELETE FROM calls WHERE id <= 2500; INSERT INTO notes (body) VALUES ('written after the backup')`);
    const run = await fixture.drc(['restore', 'latest', '--source', 'app-db', '--table', 'calls', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    const after = await mariaDigest(db);
    expect(after.calls).toBe(before.calls);
    expect(after.orders).toBe(before.orders);
    expect(await db.query<unknown[]>(`SELECT id FROM notes WHERE body = 'WRITTEN AFTER THE BACKUP'`)).toHaveLength(1);
    const [kept] = await databasesLike(`${db.name}\\_before\\_%`);
    const keptTables = await db.query<unknown[]>(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`, [kept]);
    expect(keptTables).toHaveLength(1);
  });

  it('--table refuses a table other tables reference by foreign key, changing nothing', async () => {
    const { db, fixture } = await setUp();
    await db.query('DELETE FROM orders WHERE id < 10');
    const live = await mariaDigest(db);
    const run = await fixture.drc(['restore', 'latest', '--source', 'app-db', '--table', 'customers', '--yes']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('table customers is referenced by foreign keys from orders');
    expect(await mariaDigest(db)).toEqual(live);
    expect(await databasesLike(`${db.name}\\_%`)).toEqual([]);
  });

  it('--into restores a copy into a new database; the live one is left alone', async () => {
    const { db, fixture } = await setUp();
    const original = await mariaDigest(db);
    await db.query('DELETE FROM calls');
    const live = await mariaDigest(db);
    const run = await fixture.drc(['restore', 'latest', '--source', 'app-db', '--into', `${db.name}_copy`, '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await mariaDigest(db, `${db.name}_copy`)).toEqual(original);
    expect(await mariaDigest(db)).toEqual(live);
  });
});

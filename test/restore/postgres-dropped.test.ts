import { afterEach, describe, expect, it } from 'vitest';
import { pgAdminQuery, type TestPgDatabase } from '../helpers/postgres.js';
import { makeFixture, pgDigest, seedPostgres, type Fixture } from './fixture.js';

let db: TestPgDatabase | undefined;
let fixture: Fixture | undefined;

afterEach(async () => {
  await db?.drop();
  await fixture?.cleanup();
});

describe('drc restore when the whole PostgreSQL database was dropped', () => {
  it('recreates it under its own name from the newest set', async () => {
    db = await seedPostgres();
    fixture = await makeFixture([{ name: 'core-db', type: 'postgres', url: db.url }]);
    expect((await fixture.drc(['backup'])).exitCode).toBe(0);
    const before = await pgDigest(db);
    await pgAdminQuery(`DROP DATABASE "${db.name}" WITH (FORCE)`);

    const run = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${db.name} did not exist; the restored copy now has its name`);
    expect(await pgDigest(db)).toEqual(before);
    const { rows } = await pgAdminQuery('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.name}_%`]);
    expect(rows).toEqual([]);
  });
});

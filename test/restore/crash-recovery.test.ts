import { readdir } from 'node:fs/promises';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MARIADB_SOCKET, type TestMariaDatabase } from '../helpers/mariadb.js';
import { pgAdminQuery, type TestPgDatabase } from '../helpers/postgres.js';
import { makeFixture, mariaDigest, pgDigest, pgExec, seedMaria, seedPostgres, type Fixture } from './fixture.js';
import { killRestoreAt } from './kill-at-step.js';

/** The journal folder of the fixture's state: empty once everything is settled. */
async function journalsLeft(fixture: Fixture): Promise<string[]> {
  return (await readdir(path.join(fixture.dir, 'state', 'restores')).catch(() => [] as string[])).filter((name) => name.endsWith('.jsonl'));
}

describe('a restore killed with SIGKILL at each step of the PostgreSQL swap', () => {
  let db: TestPgDatabase;
  let fixture: Fixture;
  let original: Record<string, string>;
  /** The set of the undamaged data: a `drc backup` run as "the next command" adds newer ones. */
  let setId: string;

  beforeAll(async () => {
    db = await seedPostgres('drc_crash');
    await pgExec(db, `CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body := upper(NEW.body); RETURN NEW; END $$;
      CREATE TRIGGER notes_shout BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION shout();`);
    fixture = await makeFixture([{ name: 'app-db', type: 'postgres', url: db.url }]);
    const backup = await fixture.drc(['backup']);
    expect(backup.exitCode, backup.stderr).toBe(0);
    setId = path.basename(await fixture.setDir());
    original = await pgDigest(db);
  });
  afterAll(async () => {
    await db?.drop();
    await fixture?.cleanup();
  });

  async function databases(kind: 'restore' | 'before'): Promise<string[]> {
    return (await pgAdminQuery(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${db.name}\\_${kind}\\_%`])).rows.map((row) => row.datname as string);
  }

  async function expectWorking(expected: Record<string, string>): Promise<void> {
    const { rows } = await pgAdminQuery('SELECT datallowconn FROM pg_database WHERE datname = $1', [db.name]);
    expect(rows[0]?.datallowconn).toBe(true);
    expect(await pgDigest(db)).toEqual(expected);
    expect(await databases('restore')).toEqual([]);
    expect(await journalsLeft(fixture)).toEqual([]);
    // The live database's trigger is there and fires.
    await pgExec(db, `INSERT INTO notes (body) VALUES ('probe'); DELETE FROM notes WHERE body = 'PROBE'`);
  }

  test.each([
    ['create-scratch', 'undone', 'restore --recover'],
    ['block-connections', 'undone', 'status'],
    ['rename-databases', 'undone', 'backup'],
    ['done', 'finished', 'restore --recover'],
  ])('killed at %s: the next drc command leaves it %s (via drc %s)', async (step, outcome, next) => {
    await pgExec(db, 'DELETE FROM notes WHERE id > 25');
    for (const kept of await databases('before')) await pgAdminQuery(`DROP DATABASE "${kept}" WITH (FORCE)`);
    const damaged = await pgDigest(db);
    await killRestoreAt(fixture, step, ['restore', setId, '--source', 'app-db', '--yes']);
    if (step === 'rename-databases') {
      // The worst moment of the old code: the live database refuses connections.
      const { rows } = await pgAdminQuery('SELECT datallowconn FROM pg_database WHERE datname = $1', [db.name]);
      expect(rows[0]?.datallowconn).toBe(false);
    }
    const run = await fixture.drc(next.split(' '));
    expect(run.stderr).toMatch(new RegExp(`interrupted restore of app-db \\(pid \\d+, [^)]+\\): ${outcome}`));
    expect(run.stderr.split('\n').filter((line) => line.includes('interrupted restore of'))).toHaveLength(1);
    if (next === 'backup') expect(run.exitCode, run.stderr).toBe(0);
    if (next === 'restore --recover') expect(run.exitCode, run.stderr).toBe(0);
    await expectWorking(outcome === 'finished' ? original : damaged);
    if (outcome === 'finished') expect(await databases('before')).toHaveLength(1);
  });

  test('drc status is CRITICAL while an interrupted restore cannot be settled', async () => {
    await killRestoreAt(fixture, 'rename-databases', ['restore', setId, '--source', 'app-db', '--yes']);
    // The source's server cannot be reached: nothing can settle it now.
    const broken = await makeFixture([{ name: 'app-db', type: 'postgres', url: `postgres://postgres@/${db.name}?host=/nonexistent` }]);
    try {
      const { cp } = await import('node:fs/promises');
      await cp(path.join(fixture.dir, 'state'), path.join(broken.dir, 'state'), { recursive: true });
      const status = await broken.drc(['status']);
      expect(status.exitCode).toBe(2);
      expect(status.stderr).toMatch(/interrupted restore of app-db .* is not settled/);
    } finally {
      await broken.cleanup();
    }
    const recover = await fixture.drc(['restore', '--recover']);
    expect(recover.exitCode, recover.stderr).toBe(0);
    const { rows } = await pgAdminQuery('SELECT datallowconn FROM pg_database WHERE datname = $1', [db.name]);
    expect(rows[0]?.datallowconn).toBe(true);
  });
});

describe('a restore killed with SIGKILL at each step of the MariaDB swap', () => {
  let db: TestMariaDatabase;
  let fixture: Fixture;
  let original: Record<string, string>;
  /** The set of the undamaged data: a `drc backup` run as "the next command" adds newer ones. */
  let setId: string;

  beforeAll(async () => {
    db = await seedMaria('drc_crash');
    fixture = await makeFixture([{ name: 'app-db', type: 'mysql', url: db.url }], { env: { DRC_SWAP_WAIT_SECONDS: '1' } });
    const backup = await fixture.drc(['backup']);
    expect(backup.exitCode, backup.stderr).toBe(0);
    setId = path.basename(await fixture.setDir());
    original = await mariaDigest(db);
  });
  afterAll(async () => {
    await db?.drop();
    await fixture?.cleanup();
  });

  async function databases(kind: 'restore' | 'before'): Promise<string[]> {
    const rows = await db.query<Array<{ name: string }>>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [`${db.name}\\_${kind}\\_%`]);
    return rows.map((row) => row.name);
  }

  async function dropKept(): Promise<void> {
    for (const kept of await databases('before')) await db.query(`DROP DATABASE \`${kept}\``);
  }

  async function expectWorking(expected: Record<string, string>): Promise<void> {
    expect(await mariaDigest(db)).toEqual(expected);
    expect(await databases('restore')).toEqual([]);
    expect(await journalsLeft(fixture)).toEqual([]);
    // The trigger is on the live table and fires.
    await db.query(`INSERT INTO notes (body) VALUES ('probe')`);
    expect(await db.query<unknown[]>(`SELECT 1 FROM notes WHERE body = 'PROBE'`)).toHaveLength(1);
    await db.query(`DELETE FROM notes WHERE body = 'PROBE'`);
  }

  test.each([
    ['create-scratch', 'undone', 'restore --recover'],
    ['create-before', 'undone', 'status'],
    ['rename-tables', 'undone', 'backup'],
    ['put-restored-triggers', 'finished', 'restore --recover'],
    ['done', 'finished', 'status'],
  ])('killed at %s: the next drc command leaves it %s (via drc %s)', async (step, outcome, next) => {
    await db.query('DELETE FROM notes WHERE id > 25');
    await dropKept();
    const damaged = await mariaDigest(db);
    await killRestoreAt(fixture, step, ['restore', setId, '--source', 'app-db', '--yes']);
    if (step === 'rename-tables') {
      // The worst moment of the old code: the live triggers are dropped.
      expect(await db.query<unknown[]>('SELECT 1 FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [db.name])).toHaveLength(0);
    }
    const run = await fixture.drc(next.split(' '));
    expect(run.stderr).toMatch(new RegExp(`interrupted restore of app-db \\(pid \\d+, [^)]+\\): ${outcome}`));
    if (next !== 'status') expect(run.exitCode, run.stderr).toBe(0);
    await expectWorking(outcome === 'finished' ? original : damaged);
    if (outcome === 'finished') {
      expect(await databases('before')).toHaveLength(1);
    } else {
      expect(await databases('before')).toEqual([]);
    }
  });

  test('an application transaction holding the live tables: triggers stay, drc names the session and refuses cleanly', async () => {
    await db.query('DELETE FROM notes WHERE id > 25');
    await dropKept();
    const damaged = await mariaDigest(db);
    const app = await mysql.createConnection({ socketPath: MARIADB_SOCKET, user: 'root', database: db.name });
    try {
      await app.query('BEGIN');
      await app.query('SELECT COUNT(*) FROM notes');
      const run = await fixture.drc(['restore', setId, '--source', 'app-db', '--yes']);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`session ${app.threadId} (root@localhost`);
      expect(run.stderr).toContain('nothing live was touched');
      expect(await db.query<unknown[]>('SELECT 1 FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [db.name])).toHaveLength(1);
      // The application's transaction went on undisturbed.
      await app.query(`INSERT INTO notes (body) VALUES ('during')`);
      await app.query('ROLLBACK');
    } finally {
      await app.end();
    }
    await expectWorking(damaged);
    expect(await databases('before')).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { readConfigFile } from '../../src/config/parse.js';
import type { DrcEvent } from '../../src/events.js';
import { runRestore } from '../../src/restore/run-restore.js';
import { pgAdminQuery, type TestPgDatabase } from '../helpers/postgres.js';
import { makeFixture, PASSPHRASE, PASSPHRASE_ENV, pgDigest, pgExec, seedPostgres, type Fixture } from './fixture.js';

let db: TestPgDatabase | undefined;
let fixture: Fixture | undefined;

afterEach(async () => {
  await db?.drop();
  await fixture?.cleanup();
  db = undefined;
  fixture = undefined;
  delete process.env[PASSPHRASE_ENV];
});

async function leftovers(database: string): Promise<string[]> {
  const { rows } = await pgAdminQuery('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${database}_%`]);
  return rows.map((row) => row.datname as string);
}

/** A restore in this process, stopped (as SIGTERM would) when `stopAt` sees its event. */
async function restoreStoppedAt(stopAt: (event: DrcEvent) => boolean) {
  db = await seedPostgres('drc_stop');
  fixture = await makeFixture([{ name: 'core-db', type: 'postgres', url: db.url }]);
  expect((await fixture.drc(['backup'])).exitCode).toBe(0);
  await pgExec(db, 'DELETE FROM calls WHERE id > 10');
  const live = await pgDigest(db);
  process.env[PASSPHRASE_ENV] = PASSPHRASE;
  const { config, stateDir } = readConfigFile(fixture.configPath);
  const controller = new AbortController();
  const emit = (event: DrcEvent) => {
    if (stopAt(event)) controller.abort(new Error('stopped by SIGTERM'));
  };
  const outcome = await runRestore({ config, stateDir, set: 'latest', source: 'core-db', yes: true, emit, signal: controller.signal });
  return { db, live, outcome };
}

describe('a restore stopped by a signal', () => {
  it('while the copy is loading: live unchanged, scratch database dropped', async () => {
    const { db, live, outcome } = await restoreStoppedAt((event) => event.type === 'task-started' && event.phase === 'restore');
    expect(outcome.exitCode).toBe(2);
    expect(outcome.error).toBe('core-db.dump.zst.gpg: stopped by SIGTERM while it was being read');
    expect(await pgDigest(db)).toEqual(live);
    expect(await leftovers(db.name)).toEqual([]);
  });

  it('after the copy passed its checks: no swap, live unchanged, scratch database dropped', async () => {
    const { db, live, outcome } = await restoreStoppedAt((event) => event.type === 'task-finished' && event.phase === 'restore' && event.ok);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.error).toBe('restore stopped (stopped by SIGTERM) before the swap');
    expect(outcome.keptAs).toBeUndefined();
    expect(await pgDigest(db)).toEqual(live);
    expect(await leftovers(db.name)).toEqual([]);
  });
});

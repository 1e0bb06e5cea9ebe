import { afterEach, describe, expect, it } from 'vitest';
import { readConfigFile } from '../../src/config/parse.js';
import type { DrcEvent } from '../../src/events.js';
import { runVerify } from '../../src/verify/run-verify.js';
import { pgAdminQuery, type TestPgDatabase } from '../helpers/postgres.js';
import { makeFixture, PASSPHRASE, PASSPHRASE_ENV, seedPostgres, type Fixture } from '../restore/fixture.js';

let db: TestPgDatabase | undefined;
let fixture: Fixture | undefined;

afterEach(async () => {
  await db?.drop();
  await fixture?.cleanup();
  db = undefined;
  fixture = undefined;
  delete process.env[PASSPHRASE_ENV];
});

describe('verify --deep stopped by a signal', () => {
  it('stops the test restore it is running, fails, and drops the scratch database', async () => {
    db = await seedPostgres('drc_vstop');
    fixture = await makeFixture([{ name: 'core-db', type: 'postgres', url: db.url }]);
    expect((await fixture.drc(['backup'])).exitCode).toBe(0);
    process.env[PASSPHRASE_ENV] = PASSPHRASE;
    const { config, stateDir } = readConfigFile(fixture.configPath);
    const controller = new AbortController();
    const finished: DrcEvent[] = [];
    const emit = (event: DrcEvent) => {
      if (event.type === 'task-started' && event.phase === 'verify --deep') controller.abort(new Error('stopped by SIGTERM'));
      if (event.type === 'task-finished' && event.phase === 'verify --deep') finished.push(event);
    };
    const outcome = await runVerify({ config, stateDir, set: 'latest', deep: true, emit, signal: controller.signal });
    expect(outcome.exitCode).toBe(2);
    expect(outcome.deepProblems).toEqual(['core-db: core-db.dump.zst.gpg: stopped by SIGTERM while it was being read']);
    expect(finished).toMatchObject([{ task: 'core-db', ok: false }]);
    const { rows } = await pgAdminQuery('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.name}_%`]);
    expect(rows).toEqual([]);
  });
});

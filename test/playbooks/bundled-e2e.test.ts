import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCalcomFake, type CalcomFake } from '../fakes/calcom-server.js';
import { startRetellFake, type RetellFake } from '../fakes/retell-server.js';
import { runDrc, type DrcRun } from '../helpers/drc.js';
import { createMariaDatabase, type TestMariaDatabase } from '../helpers/mariadb.js';
import { createPgDatabase, pgQueryOnce, type TestPgDatabase } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';

/**
 * Every bundled playbook, run the way an on-call engineer would at 3 a.m.: `drc run <id> --yes`
 * with a config that has the sources the playbook names, real databases, the Cal.com and
 * Retell fakes going down and coming back, and a `php` on PATH that answers `php artisan …`
 * like the Laravel app would (and logs what it was asked, so the tests see what ran).
 */
const PASSPHRASE = 'bundled-e2e-passphrase-4c1d';
const CALCOM_KEY = 'cal_live_e2e_9a8b7c6d5e4f30211203';
const RETELL_KEY = 'key_e2e_1f2e3d4c5b6a79880796';
/** Test knobs: the outage playbooks poll every second instead of every minute. */
const FAST_WAIT = ['--var', 'wait_interval=1s', '--var', 'wait_for=2m'];

let tmp: { dir: string; cleanup: () => Promise<void> };
let appDir: string;
let binDir: string;

/** A scenario's own folder, config (stateDir and backups inside it) and php log. */
interface Scenario {
  dir: string;
  configFile: string;
  stateDir: string;
  phpLog: string;
  drc(args: string[]): Promise<DrcRun>;
  /** Starts `drc run <playbook> --yes` with the app folder and extra args; resolves when it exits. */
  run(playbook: string, extra?: string[]): Promise<DrcRun>;
  artisanCalls(): string[];
  journal(incident: string): Array<Record<string, unknown>>;
}

async function makeScenario(name: string, sources: unknown[]): Promise<Scenario> {
  const dir = path.join(tmp.dir, name);
  await mkdir(dir, { recursive: true });
  const configFile = path.join(dir, 'drc.json');
  const stateDir = path.join(dir, 'state');
  const phpLog = path.join(dir, 'php.log');
  await writeFile(
    configFile,
    JSON.stringify({
      sources,
      targets: [{ name: 'local', type: 'local', path: path.join(dir, 'backups') }],
      encryption: { passphraseEnv: 'E2E_PASSPHRASE' },
      stateDir,
    }),
  );
  const env = {
    E2E_PASSPHRASE: PASSPHRASE,
    E2E_CALCOM_KEY: CALCOM_KEY,
    E2E_RETELL_KEY: RETELL_KEY,
    PHP_LOG: phpLog,
    PATH: `${binDir}:${process.env.PATH ?? ''}`,
  };
  const drc = (args: string[]) => runDrc(['--config', configFile, ...args], { env, timeoutMs: 150_000 });
  return {
    dir,
    configFile,
    stateDir,
    phpLog,
    drc,
    run: (playbook, extra = []) => drc(['run', playbook, '--yes', '--var', `app_dir=${appDir}`, ...extra]),
    artisanCalls: () => (existsSync(phpLog) ? readFileSync(phpLog, 'utf8').trim().split('\n') : []),
    journal: (incident) =>
      readFileSync(path.join(stateDir, 'incidents', incident, 'journal.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function incidentOf(run: DrcRun): string {
  const match = /incident (\S+): /.exec(run.stderr);
  expect(match, run.stderr).toBeTruthy();
  return match![1]!;
}

/** Every step finished (none skipped or left failed) and the incident resolved. */
function expectEveryStepFinished(journal: Array<Record<string, unknown>>): void {
  const started = journal[0] as { type: string; steps: Array<{ title: string }> };
  expect(started.type).toBe('incident-started');
  const finished = new Set(journal.filter((event) => event.type === 'step-finished').map((event) => event.step));
  expect([...finished].sort((a, b) => Number(a) - Number(b))).toEqual(started.steps.map((_, index) => index));
  expect(journal.filter((event) => event.type === 'step-skipped')).toEqual([]);
  expect(journal.at(-1)).toMatchObject({ type: 'incident-finished', status: 'resolved' });
}

async function writePostmortem(scenario: Scenario, incident: string): Promise<string> {
  const written = await scenario.drc(['postmortem', incident]);
  expect(written.exitCode, written.stderr).toBe(0);
  return readFile(path.join(scenario.stateDir, 'incidents', incident, 'postmortem.md'), 'utf8');
}

/** Resolves once `count` requests reached `pathname` on a fake: drc is polling it. */
async function waitForRequests(fake: { requests: Array<{ path: string }> }, pathname: string, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (fake.requests.filter((request) => request.path === pathname).length < count) {
    if (Date.now() > deadline) throw new Error(`drc never asked ${pathname} ${count} times`);
    await sleep(100);
  }
}

beforeAll(async () => {
  tmp = await makeTempDir('drc-bundled-e2e-');
  appDir = path.join(tmp.dir, 'app');
  binDir = path.join(tmp.dir, 'bin');
  await mkdir(appDir, { recursive: true });
  await mkdir(binDir, { recursive: true });
  await writeFile(path.join(appDir, 'artisan'), '# Laravel artisan (stand-in)\n');
  // Refuses to run outside the app folder, as `php artisan` does, so a missing `cd` fails the step.
  await writeFile(
    path.join(binDir, 'php'),
    [
      '#!/bin/sh',
      '[ "$1" = artisan ] || { echo "test php: only artisan is simulated" >&2; exit 1; }',
      '[ -f artisan ] || { echo "Could not open input file: artisan" >&2; exit 1; }',
      'shift',
      'echo "$*" >> "${PHP_LOG:?}"',
      'echo "   INFO  $1: done."',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
});

afterAll(async () => {
  await tmp?.cleanup();
});

describe.concurrent('bundled playbooks run end to end with drc run --yes', () => {
  describe.sequential('calcom-outage against the Cal.com fake', () => {
    let calcom: CalcomFake;
    let scenario: Scenario;
    beforeAll(async () => {
      calcom = await startCalcomFake({ apiKey: CALCOM_KEY, bookings: 20 });
      scenario = await makeScenario('calcom', [{ name: 'calcom', type: 'calcom', apiKeyEnv: 'E2E_CALCOM_KEY', baseUrl: calcom.url }]);
    });
    afterAll(async () => {
      await calcom?.close();
    });

    it('stops at the first step when Cal.com answers: the problem is ours', async () => {
      const run = await scenario.run('calcom-outage', FAST_WAIT);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain('step 1/8 "Confirm it is Cal.com, not us" failed: check failed: Cal.com API (calcom) is down');
      expect(run.stderr).toContain('so Cal.com is not down');
      expect(run.stderr).toContain('the problem is on our side');
      expect(scenario.artisanCalls()).toEqual([]);
    });

    it('confirms the outage, falls back, waits for the API, re-syncs the mirror and resolves', async () => {
      const pulled = await scenario.drc(['sync', 'pull', 'calcom']);
      expect(pulled.exitCode, pulled.stderr).toBe(0);
      const mirrorFile = path.join(scenario.stateDir, 'mirror', 'calcom.json');
      const before = JSON.parse(await readFile(mirrorFile, 'utf8')) as { takenAt: string; bookings: unknown[] };

      calcom.goDown();
      // A booking Cal.com took through its own booking page while our API calls failed.
      const start = new Date(Date.now() + 86_400_000);
      calcom.state.bookings.push({
        id: 999_001, uid: 'bk_during_outage', title: 'Beratung 30 min zwischen AskProAI und Kundin Outage', status: 'accepted',
        start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString(), duration: 30,
        eventTypeId: calcom.state.eventTypes[0]!.id, attendees: [{ name: 'Kundin Outage', email: 'outage@example.de', timeZone: 'Europe/Berlin' }],
      });
      const seen = calcom.requests.filter((request) => request.path === '/v2/me').length;
      const running = scenario.run('calcom-outage', FAST_WAIT);
      // The confirmation probe (2 tries), then two polls of the wait step (2 tries each).
      await waitForRequests(calcom, '/v2/me', seen + 6);
      calcom.comeBack();
      const run = await running;

      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/passed: Cal\.com API \(calcom\) is down: outage confirmed: source calcom: GET \/v2\/me failed with 503/);
      expect(run.stderr).toMatch(/attempt 1: source calcom: GET \/v2\/me failed with 503.*; next try in 1\.0s/);
      expect(run.stderr).toMatch(/passed on attempt \d+: Cal\.com API \(calcom\) is up: Cal\.com API answers/);
      expect(scenario.artisanCalls()).toEqual(['calcom:fallback on', 'calcom:fallback off', 'calcom:replay-queued']);

      const after = JSON.parse(await readFile(mirrorFile, 'utf8')) as { takenAt: string; bookings: Array<{ uid: string }> };
      expect(Date.parse(after.takenAt)).toBeGreaterThan(Date.parse(before.takenAt));
      expect(after.bookings.length).toBe(before.bookings.length + 1);
      expect(after.bookings.map((booking) => booking.uid)).toContain('bk_during_outage');

      const incident = incidentOf(run);
      const journal = scenario.journal(incident);
      expectEveryStepFinished(journal);
      const titles = (journal[0] as { steps: Array<{ title: string }> }).steps.map((step) => step.title);
      expect(titles).toEqual([
        'Confirm it is Cal.com, not us',
        'Switch the app to the cached event types',
        'Tell people',
        'Wait for the API to come back',
        'Re-sync from Cal.com',
        'Switch the fallback off',
        'Check for bookings made or lost meanwhile',
        'Close',
      ]);
      const postmortem = await writePostmortem(scenario, incident);
      expect(postmortem).toContain('# Post-mortem: Cal.com outage');
      expect(postmortem).toMatch(/Achieved RTO [\d.]+m?s against 4h 0m \(met\)/);
      expect(postmortem).toContain('Service counted as restored when step 5 "Re-sync from Cal.com" passed');
    });
  });

  describe('retell-outage against the Retell fake', () => {
    let retell: RetellFake;
    let scenario: Scenario;
    beforeAll(async () => {
      retell = await startRetellFake({ apiKey: RETELL_KEY, calls: 20 });
      scenario = await makeScenario('retell', [{ name: 'retell', type: 'retell', apiKeyEnv: 'E2E_RETELL_KEY', baseUrl: retell.url }]);
    });
    afterAll(async () => {
      await retell?.close();
    });

    it('confirms the outage, waits, pushes the agent/number bindings back from the backup and re-syncs calls', async () => {
      const backup = await scenario.drc(['backup']);
      expect(backup.exitCode, backup.stderr).toBe(0);
      const agentNames = (bindings: unknown) =>
        ((bindings as Array<{ agent_id: string }> | null) ?? []).map(({ agent_id }) => retell.state.agents.get(agent_id)?.at(-1)?.agent_name);
      const boundBefore = [...retell.state.phoneNumbers.values()].map((number) => [number.phone_number, agentNames(number.inbound_agents)]);
      expect(boundBefore.flatMap(([, names]) => names as string[]).length).toBeGreaterThan(0);

      // Retell comes back from its outage having lost our agents and bindings.
      retell.wipe();
      retell.goDown();
      const seen = retell.requests.filter((request) => request.path === '/v2/list-agents').length;
      const running = scenario.run('retell-outage', FAST_WAIT);
      await waitForRequests(retell, '/v2/list-agents', seen + 6);
      retell.comeBack();
      const run = await running;

      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/passed: Retell API \(retell\) is down: outage confirmed/);
      expect(run.stderr).toMatch(/passed on attempt \d+: Retell API \(retell\) is up/);
      expect(run.stderr).toContain('+ create agent Empfang');
      expect(scenario.artisanCalls()).toEqual(['retell:use-snapshot on', 'retell:use-snapshot off']);
      // The same agents answer the same numbers again (under the new ids Retell gave them).
      const boundAfter = [...retell.state.phoneNumbers.values()].map((number) => [number.phone_number, agentNames(number.inbound_agents)]);
      expect(boundAfter).toEqual(boundBefore);
      const mirror = JSON.parse(await readFile(path.join(scenario.stateDir, 'mirror', 'retell.json'), 'utf8')) as { agents: unknown[] };
      expect(mirror.agents.length).toBeGreaterThan(0);

      const incident = incidentOf(run);
      expectEveryStepFinished(scenario.journal(incident));
      const postmortem = await writePostmortem(scenario, incident);
      expect(postmortem).toMatch(/Achieved RTO [\d.]+m?s against 2h 0m \(met\)/);
      expect(postmortem).toContain('"Restore the agent and number bindings" passed');
    });
  });

  describe('corrupt-billing against PostgreSQL', () => {
    let db: TestPgDatabase;
    let scenario: Scenario;
    beforeAll(async () => {
      db = await createPgDatabase('drc_e2e_billing');
      await pgQueryOnce(
        db.name,
        `CREATE TABLE calls (id serial PRIMARY KEY, company_id int NOT NULL, minutes int NOT NULL);
         CREATE TABLE billing (id serial PRIMARY KEY, company_id int NOT NULL, month char(7) NOT NULL, minutes int NOT NULL, amount_cents int NOT NULL);
         CREATE TABLE invoices (id serial PRIMARY KEY, company_id int NOT NULL, month char(7) NOT NULL, total_cents int NOT NULL);
         INSERT INTO calls (company_id, minutes) SELECT 1 + s % 3, 1 + s % 9 FROM generate_series(1, 60) s;
         INSERT INTO billing (company_id, month, minutes, amount_cents) SELECT c, '2026-' || lpad(m::text, 2, '0'), 100 * c + m, 4900 + 10 * (100 * c + m) FROM generate_series(1, 3) c, generate_series(1, 10) m;
         INSERT INTO invoices (company_id, month, total_cents) SELECT company_id, month, amount_cents FROM billing;`,
      );
      scenario = await makeScenario('billing', [{ name: 'app-db', type: 'postgres', url: db.url }]);
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('verifies the set, restores only the billing tables, recomputes and checks; later calls survive', async () => {
      const backup = await scenario.drc(['backup']);
      expect(backup.exitCode, backup.stderr).toBe(0);
      const snapshot = async (table: string) => (await pgQueryOnce(db.name, `SELECT * FROM ${table} ORDER BY id`)).rows;
      const [billingBefore, invoicesBefore] = [await snapshot('billing'), await snapshot('invoices')];

      // The damage: a bad job wipes most monthly snapshots and zeroes the invoices; calls keep coming in.
      await pgQueryOnce(db.name, `DELETE FROM billing WHERE month < '2026-09'; UPDATE invoices SET total_cents = 0; INSERT INTO calls (company_id, minutes) VALUES (2, 42)`);

      const run = await scenario.run('corrupt-billing', ['--var', 'billing_tables=billing, invoices']);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/verified \(deep: test-restored\)/);
      expect(run.stderr).toMatch(/app-db from set \S+ tables billing \(previous rows kept in \S+\), invoices \(previous rows kept in \S+\)/);
      expect(run.stderr).toMatch(/passed: billing has rows: expected > 0, got 30/);
      expect(await snapshot('billing')).toEqual(billingBefore);
      expect(await snapshot('invoices')).toEqual(invoicesBefore);
      const calls = await pgQueryOnce(db.name, 'SELECT COUNT(*)::int AS n, MAX(minutes) AS longest FROM calls');
      expect(calls.rows[0]).toEqual({ n: 61, longest: 42 });
      // The damaged rows are kept for the audit, one copy per restored table.
      const kept = await pgQueryOnce(db.name, `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_schema LIKE '%\\_before\\_%' ORDER BY table_name`);
      expect(kept.rows.map((row) => row.name)).toEqual(['billing', 'invoices']);
      expect((await pgQueryOnce(db.name, `SELECT COUNT(*)::int AS n FROM "${kept.rows[0].schema}".billing`)).rows[0]).toEqual({ n: 6 });
      expect(scenario.artisanCalls()).toEqual(['billing:hold --reason=incident: corrupt billing data', 'billing:recompute --period=previous-month', 'billing:release']);

      const incident = incidentOf(run);
      expectEveryStepFinished(scenario.journal(incident));
      const postmortem = await writePostmortem(scenario, incident);
      expect(postmortem).toMatch(/Achieved RTO [\d.]+m?s against 8h 0m \(met\); achieved RPO [\d.]+m?s against 1d 0h \(met\)/);
    });
  });

  describe('restore-drill against PostgreSQL', () => {
    let db: TestPgDatabase;
    let scenario: Scenario;
    beforeAll(async () => {
      db = await createPgDatabase('drc_e2e_drill');
      await pgQueryOnce(db.name, `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL); INSERT INTO users (email) SELECT 'u' || s || '@askpro.example' FROM generate_series(1, 25) s`);
      scenario = await makeScenario('drill', [{ name: 'app-db', type: 'postgres', url: db.url }]);
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('verifies, test-restores, restores a timed copy next to production and leaves production alone', async () => {
      const backup = await scenario.drc(['backup']);
      expect(backup.exitCode, backup.stderr).toBe(0);
      // Changed after the backup: a restore that touched production would undo it.
      await pgQueryOnce(db.name, `UPDATE users SET email = 'changed-after-backup@askpro.example' WHERE id = 1`);
      const copy = `${db.name}_drill`;
      const run = await scenario.run('restore-drill', ['--var', `drill_copy=${copy}`]);
      expect(run.exitCode, run.stderr).toBe(0);
      expect((await pgQueryOnce(db.name, 'SELECT email FROM users WHERE id = 1')).rows).toEqual([{ email: 'changed-after-backup@askpro.example' }]);
      expect((await pgQueryOnce(copy, 'SELECT email FROM users WHERE id = 1')).rows).toEqual([{ email: 'u1@askpro.example' }]);
      expect((await pgQueryOnce(copy, 'SELECT COUNT(*)::int AS n FROM users')).rows[0]).toEqual({ n: 25 });
      expect((await pgQueryOnce(db.name, 'SELECT COUNT(*)::int AS n FROM users')).rows[0]).toEqual({ n: 25 });

      const incident = incidentOf(run);
      expectEveryStepFinished(scenario.journal(incident));
      const postmortem = await writePostmortem(scenario, incident);
      expect(postmortem).toMatch(/Achieved RTO [\d.]+m?s against 2h 0m \(met\); achieved RPO [\d.]+m?s against 1d 2h \(met\)/);
    });
  });

  describe('local-data-loss against MariaDB', () => {
    let db: TestMariaDatabase;
    let scenario: Scenario;
    beforeAll(async () => {
      db = await createMariaDatabase('drc_e2e_loss');
      await db.query(
        `CREATE TABLE users (id int PRIMARY KEY, email varchar(120) NOT NULL);
         CREATE TABLE calls (id int PRIMARY KEY, user_id int NOT NULL, transcript text NOT NULL);
         INSERT INTO users SELECT seq, CONCAT('staff', seq, '@askpro.example') FROM seq_1_to_30;
         INSERT INTO calls SELECT seq, 1 + seq % 30, CONCAT('Agent: Guten Tag. Kunde: Termin ', seq) FROM seq_1_to_200;`,
      );
      scenario = await makeScenario('loss', [{ name: 'app-db', type: 'mysql', url: db.url }]);
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('takes the app offline, verifies, restores the database, checks and brings the app back', async () => {
      const backup = await scenario.drc(['backup']);
      expect(backup.exitCode, backup.stderr).toBe(0);
      await db.query('DELETE FROM users; DROP TABLE calls');

      const run = await scenario.run('local-data-loss');
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/passed: users has rows: expected > 0, got 30/);
      const counts = await db.query<Array<{ users: number; calls: number }>>('SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM calls) AS calls');
      expect(counts[0]).toEqual({ users: 30, calls: 200 });
      expect(scenario.artisanCalls()).toEqual(['down --retry=60', 'queue:pause', 'queue:resume', 'up']);

      const incident = incidentOf(run);
      expectEveryStepFinished(scenario.journal(incident));
      const postmortem = await writePostmortem(scenario, incident);
      expect(postmortem).toMatch(/Achieved RTO [\d.]+m?s against 2h 0m \(met\); achieved RPO [\d.]+m?s against 1h 0m \(met\)/);
      expect(postmortem).toContain('```mermaid');
    });
  });
});

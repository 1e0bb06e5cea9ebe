import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMariaDatabase, type TestMariaDatabase } from '../helpers/mariadb.js';
import { createPlaybookWorld, expectEveryStepFinished, incidentOf, writePostmortem, type PlaybookWorld, type Scenario } from '../helpers/playbook-world.js';
import { createPgDatabase, pgQueryOnce, type TestPgDatabase } from '../helpers/postgres.js';

/**
 * Every bundled database playbook, run the way an on-call engineer would at 3 a.m. (see
 * test/helpers/playbook-world.ts); the Cal.com and Retell outage playbooks have their own file,
 * test/playbooks/outage-e2e.test.ts.
 */
let world: PlaybookWorld;
const makeScenario = (name: string, sources: unknown[]) => world.makeScenario(name, sources);

beforeAll(async () => {
  world = await createPlaybookWorld('drc-bundled-e2e-');
});

afterAll(async () => {
  await world?.cleanup();
});

describe.concurrent('bundled playbooks run end to end with drc run --yes', () => {
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

import { expect, test } from 'vitest';
import { planMysqlRecovery, planPostgresRecovery, type MysqlFacts, type PostgresFacts } from '../../src/restore/recovery-plan.js';
import type { JournalFile, StepName } from '../../src/restore/restore-journal.js';

const TRIGGER = { name: 'notes_upper', table: 'notes', statement: 'CREATE TRIGGER notes_upper …' };
const RESTORED_TRIGGER = { ...TRIGGER, statement: 'CREATE TRIGGER notes_upper /* from the backup */ …' };

function journal(engine: 'PostgreSQL' | 'MySQL/MariaDB', steps: StepName[], kind: 'restore' | 'drill' = 'restore'): JournalFile {
  return {
    file: '/state/restores/app-db.jsonl',
    begin: { type: 'begin', kind, engine, source: 'app-db', live: 'app', scratch: 'app_restore_1', before: 'app_before_1', pid: 4242, at: '2026-12-02T10:00:00Z' },
    steps: steps.map((step) => ({
      type: 'step' as const,
      step,
      at: '2026-12-02T10:00:01Z',
      ...(step === 'drop-live-triggers' ? { triggers: [TRIGGER] } : {}),
      ...(step === 'rename-tables' ? { outgoing: ['notes'], incoming: ['notes'], triggers: [RESTORED_TRIGGER] } : {}),
    })),
  };
}

const pg = (facts: Partial<PostgresFacts>): PostgresFacts => ({
  liveExists: true,
  scratchExists: true,
  beforeExists: false,
  liveAllowsConnections: true,
  beforeAllowsConnections: true,
  ...facts,
});

test('PostgreSQL killed with the live database refusing connections, before the rename: connections back, scratch dropped', () => {
  const plan = planPostgresRecovery(journal('PostgreSQL', ['create-scratch', 'block-connections', 'rename-databases']), pg({ liveAllowsConnections: false }));
  expect(plan.outcome).toBe('undone');
  expect(plan.actions).toEqual([
    { do: 'allow-connections', database: 'app' },
    { do: 'drop-database', database: 'app_restore_1' },
  ]);
  expect(plan.summary).toMatch(/^interrupted restore of app-db \(pid 4242, .*\): undone/);
});

test('PostgreSQL killed after the rename committed: finished, the kept copy takes connections again', () => {
  const plan = planPostgresRecovery(journal('PostgreSQL', ['create-scratch', 'block-connections', 'rename-databases']), pg({ scratchExists: false, beforeExists: true, beforeAllowsConnections: false }));
  expect(plan.outcome).toBe('finished');
  expect(plan.actions).toEqual([{ do: 'allow-connections', database: 'app_before_1' }]);
});

test('PostgreSQL live name missing while the kept copy exists (never by drc, but possible by hand): the old data gets its name back', () => {
  const plan = planPostgresRecovery(journal('PostgreSQL', ['create-scratch', 'block-connections']), pg({ liveExists: false, beforeExists: true, beforeAllowsConnections: false }));
  expect(plan.actions).toEqual([
    { do: 'rename-database', from: 'app_before_1', to: 'app' },
    { do: 'allow-connections', database: 'app' },
    { do: 'drop-database', database: 'app_restore_1' },
  ]);
});

const my = (facts: Partial<MysqlFacts>): MysqlFacts => ({ scratchExists: true, beforeExists: true, liveTables: ['notes'], scratchTables: ['notes'], liveTriggers: [], ...facts });

test('MySQL killed with the live triggers dropped, before the rename: the triggers come back exactly, the empty kept database goes', () => {
  const plan = planMysqlRecovery(journal('MySQL/MariaDB', ['create-scratch', 'create-before', 'drop-live-triggers', 'rename-tables']), my({}));
  expect(plan.outcome).toBe('undone');
  expect(plan.actions).toEqual([
    { do: 'put-triggers', database: 'app', triggers: [TRIGGER] },
    { do: 'drop-database-if-empty', database: 'app_before_1' },
    { do: 'drop-database', database: 'app_restore_1' },
  ]);
});

test('MySQL killed after the atomic rename: finished with the backup’s triggers, never the old ones', () => {
  const plan = planMysqlRecovery(journal('MySQL/MariaDB', ['create-scratch', 'create-before', 'drop-live-triggers', 'rename-tables']), my({ scratchTables: [] }));
  expect(plan.outcome).toBe('finished');
  expect(plan.actions).toEqual([
    { do: 'put-triggers', database: 'app', triggers: [RESTORED_TRIGGER] },
    { do: 'drop-database', database: 'app_restore_1' },
  ]);
});

test('recovery is idempotent: triggers already there are not created twice', () => {
  const plan = planMysqlRecovery(journal('MySQL/MariaDB', ['create-scratch', 'create-before', 'drop-live-triggers', 'rename-tables', 'put-restored-triggers']), my({ scratchTables: [], scratchExists: false, liveTriggers: ['notes_upper'] }));
  expect(plan).toMatchObject({ outcome: 'finished', actions: [] });
});

test('a drill or deep verification only ever drops its scratch database', () => {
  expect(planMysqlRecovery(journal('MySQL/MariaDB', ['create-scratch'], 'drill'), my({})).actions).toEqual([{ do: 'drop-database', database: 'app_restore_1' }]);
  expect(planPostgresRecovery(journal('PostgreSQL', ['create-scratch'], 'drill'), pg({ scratchExists: false })).actions).toEqual([]);
});

import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pruneTarget, withPruneLock } from '../../src/retention/prune.js';
import { loadCatalog } from '../../src/sets/catalog.js';
import { readHistory } from '../../src/state/history.js';
import { acquireLock, findLockHolder } from '../../src/state/lock.js';
import { findSetsBeingRead, holdSetForReading } from '../../src/state/set-readers.js';
import { createLocalTarget } from '../../src/storage/local.js';
import { runDrc } from '../helpers/drc.js';
import { dailyTimes, fakeSetTrust, writeFakeSet } from '../helpers/fake-sets.js';
import { makeTempDir } from '../helpers/tmp.js';

let temp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  temp = await makeTempDir('drc-locks-');
});
afterAll(async () => temp?.cleanup());

test('a second holder of the same lock is refused with exit 1 naming the first; other names are independent', async () => {
  const state = path.join(temp.dir, 'refuse');
  const first = await acquireLock(state, 'restore-app-db', 'drc restore --source app-db');
  await expect(acquireLock(state, 'restore-app-db', 'drc restore --source app-db')).rejects.toMatchObject({
    exitCode: 1,
    message: expect.stringContaining(`pid ${process.pid}`),
  });
  const other = await acquireLock(state, 'restore-core-db', 'drc restore --source core-db');
  await other.release();
  await first.release();
  expect(await findLockHolder(state, 'restore-app-db')).toBeUndefined();
});

test('a lock left by a killed process is taken over', async () => {
  const state = path.join(temp.dir, 'stale');
  const dead = spawn(process.execPath, ['-e', '']);
  const pid = await new Promise<number>((resolve) => dead.on('exit', () => resolve(dead.pid!)));
  await acquireLock(state, 'drill', 'drc drill').then((lock) => lock.release());
  await writeFile(path.join(state, 'locks', 'drill.lock'), JSON.stringify({ pid, startedAt: new Date().toISOString(), command: 'drc drill' }));
  expect(await findLockHolder(state, 'drill')).toBeUndefined();
  const lock = await acquireLock(state, 'drill', 'drc drill');
  expect((await findLockHolder(state, 'drill'))?.pid).toBe(process.pid);
  await lock.release();
});

test('prune keeps a set that is being read, and says who reads it', async () => {
  const state = path.join(temp.dir, 'prune-reader');
  const target = createLocalTarget({ name: 'local', type: 'local', path: path.join(temp.dir, 'sets') });
  const ids: string[] = [];
  for (const time of dailyTimes('2026-11-01', 6)) ids.push(await writeFakeSet(target, { time, items: [{ source: 'app-db' }] }));
  const oldest = ids[0]!;
  const { lock } = await holdSetForReading(state, 'drc restore --source app-db', async () => ({ id: oldest }));
  expect([...(await findSetsBeingRead(state)).keys()]).toEqual([oldest]);

  const trust = await fakeSetTrust(state);
  const result = await withPruneLock(state, false, () => pruneTarget(target, { keepLast: 1 }, { stateDir: state, trust, dryRun: false, emit: () => {}, now: new Date('2026-11-10T00:00:00Z') }));
  const kept = (await loadCatalog(target, trust)).map((entry) => entry.id);
  expect(kept).toContain(oldest);
  expect(result.removed).toHaveLength(4);
  expect(result.plan.decisions.find((decision) => decision.id === oldest)?.reasons.join(' ')).toContain(`being read by drc restore --source app-db (pid ${process.pid})`);
  await lock.release();
});

test('a reader waits for a running prune, then resolves the set again', async () => {
  const state = path.join(temp.dir, 'reader-waits');
  const prune = await acquireLock(state, 'prune', 'drc prune');
  let resolves = 0;
  let released = false;
  const messages: string[] = [];
  const reading = holdSetForReading(
    state,
    'drc verify',
    async () => {
      resolves += 1;
      return { id: released ? 'after-prune' : 'before-prune' };
    },
    (event) => event.type === 'log' && messages.push(event.message),
  );
  await expect.poll(() => messages.length, { timeout: 10_000 }).toBe(1);
  expect(messages[0]).toContain('waiting for the running prune');
  expect(resolves).toBe(0);
  released = true;
  await prune.release();
  const { resolved, lock } = await reading;
  expect(resolved.id).toBe('after-prune');
  await lock.release();
});

test('a refused backup under --json ends with a result object and lands in history', async () => {
  const state = path.join(temp.dir, 'refused-backup');
  const config = path.join(temp.dir, 'refused.json');
  await writeFile(
    config,
    JSON.stringify({
      sources: [{ name: 'app', type: 'files', paths: [temp.dir] }],
      targets: [{ name: 'local', type: 'local', path: path.join(temp.dir, 'refused-sets') }],
      encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
      stateDir: state,
    }),
  );
  const lock = await acquireLock(state, 'backup', 'drc backup');
  const run = await runDrc(['backup', '--json', '--config', config], { env: { DRC_PASSPHRASE: 'locks-test-passphrase' } });
  await lock.release();
  expect(run.exitCode).toBe(1);
  const last = run.events.at(-1)!;
  expect(last).toMatchObject({ type: 'result', command: 'backup', exitCode: 1 });
  expect(String(last.summary)).toContain('REFUSED');
  const history = await readHistory(state, 'backup');
  expect(history.at(-1)).toMatchObject({ status: 'refused', exitCode: 1 });
  expect(history.at(-1)?.error).toContain(`pid ${process.pid}`);
});

test('a command that fails before doing anything still ends --json with a result object', async () => {
  const run = await runDrc(['drill', '--json', '--config', path.join(temp.dir, 'no-such-config.json')]);
  expect(run.exitCode).toBe(2);
  expect(run.events.at(-1)).toMatchObject({ type: 'result', command: 'drill', exitCode: 2 });
});

import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { pruneAfterBackup, pruneTarget } from '../../src/retention/prune.js';
import { loadCatalog } from '../../src/sets/catalog.js';
import { appendHistory } from '../../src/state/history.js';
import { createLocalTarget } from '../../src/storage/local.js';
import { createS3Target } from '../../src/storage/s3.js';
import type { Target } from '../../src/storage/types.js';
import type { DrcEvent } from '../../src/events.js';
import { runDrc } from '../helpers/drc.js';
import { dailyTimes, FAKE_SET_PASSPHRASE, fakeSetTrust, writeFakeSet } from '../helpers/fake-sets.js';
import { startS3rver, type TestS3rver } from '../helpers/s3rver.js';
import { makeTempDir, uniqueSuffix } from '../helpers/tmp.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const POLICY = { keepLast: 2, daily: 5, weekly: 2 };
let s3: TestS3rver;
let temp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  s3 = await startS3rver();
  Object.assign(process.env, s3.env);
  temp = await makeTempDir('drc-prune-');
});

afterAll(async () => {
  await s3?.stop();
  await temp?.cleanup();
});

/** Three weeks of nightly sets with a gap and a partial set, as a real target accumulates them. */
async function fillTarget(target: Target): Promise<string[]> {
  const ids: string[] = [];
  for (const time of dailyTimes('2026-11-02', 21, ['2026-11-18', '2026-11-19'])) {
    const partial = time.toISOString().startsWith('2026-11-16');
    ids.push(await writeFakeSet(target, { time, status: partial ? 'partial' : 'complete', items: [{ source: 'app-db' }, { source: 'app', type: 'files' }] }));
  }
  return ids.reverse();
}

/** What the hand-checked plan keeps for POLICY over fillTarget's sets at NOW. */
const EXPECTED_KEPT = [
  '2026-11-22T02-15-00Z_web1', // newest, keep-last, daily, weekly W47
  '2026-11-21T02-15-00Z_web1', // keep-last, daily
  '2026-11-20T02-15-00Z_web1', // daily
  '2026-11-17T02-15-00Z_web1', // daily (18 and 19 are missing)
  '2026-11-15T02-15-00Z_web1', // daily (16 is partial and does not count), weekly W46
];

async function setIdsOn(target: Target): Promise<string[]> {
  return (await loadCatalog(target, await fakeSetTrust(temp.dir))).map((entry) => entry.id);
}

describe.each([
  ['local folder', () => createLocalTarget({ name: 'local', type: 'local', path: path.join(temp.dir, `local-${uniqueSuffix()}`) })],
  ['s3rver', () => createS3Target(s3.targetConfig(`prune-${uniqueSuffix()}`, 'offsite'))],
])('prune on a %s', (_label, openTarget) => {
  test('a dry run deletes nothing and prints a reason for every set', async () => {
    const target = openTarget();
    const ids = await fillTarget(target);
    const events: DrcEvent[] = [];
    const result = await pruneTarget(target, POLICY, { stateDir: temp.dir, trust: await fakeSetTrust(temp.dir), dryRun: true, emit: (e) => events.push(e), now: NOW });
    expect(result.plan.keep).toEqual(EXPECTED_KEPT);
    expect(await setIdsOn(target)).toEqual(ids);
    const lines = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(lines).toContain(`${target.name}: drop 2026-11-16T02-15-00Z_web1 [partial] — partial, superseded by complete set 2026-11-17T02-15-00Z_web1`);
    expect(lines).toContain(`${target.name}: keep 2026-11-15T02-15-00Z_web1 — daily 2026-11-15; weekly 2026-W46`);
    expect(lines).toContain(`${target.name}: drop 2026-11-08T02-15-00Z_web1 — beyond weekly 2`);
    expect(lines.at(-1)).toBe(`${target.name}: keep 5, drop 14`);
  });

  test('deletes exactly the planned sets, manifests and files alike', async () => {
    const target = openTarget();
    const ids = await fillTarget(target);
    const result = await pruneTarget(target, POLICY, { stateDir: temp.dir, trust: await fakeSetTrust(temp.dir), dryRun: false, emit: () => {}, now: NOW });
    expect(result.removed.sort()).toEqual(ids.filter((id) => !EXPECTED_KEPT.includes(id)).sort());
    expect(result.failed).toEqual([]);
    expect((await target.listSets()).map((entry) => entry.id).sort()).toEqual([...EXPECTED_KEPT].sort());
    expect(await target.listFiles('2026-11-08T02-15-00Z_web1')).toEqual([]);
    expect((await target.listFiles(EXPECTED_KEPT[4]!)).map((file) => file.name).sort()).toEqual(['SHA256SUMS', 'app-db.dump.zst.gpg', 'app.tar.zst.gpg', 'manifest.json', 'manifest.json.mac']);
  });
});

test('an old set that is the only verified one survives prune on its target', async () => {
  const { dir: stateDir, cleanup } = await makeTempDir('drc-prune-state-');
  const target = createLocalTarget({ name: 'local', type: 'local', path: path.join(temp.dir, `verified-${uniqueSuffix()}`) });
  await fillTarget(target);
  await appendHistory(stateDir, { kind: 'verify', at: '2026-11-05T03:00:00Z', setId: '2026-11-04T02-15-00Z_web1', target: 'local', deep: true, ok: true, durationMs: 1000, problems: [] });
  // Verified on another target only: does not count here.
  await appendHistory(stateDir, { kind: 'verify', at: '2026-11-06T03:00:00Z', setId: '2026-11-05T02-15-00Z_web1', target: 'offsite', deep: false, ok: true, durationMs: 1000, problems: [] });
  const result = await pruneTarget(target, POLICY, { stateDir, trust: await fakeSetTrust(stateDir), dryRun: false, emit: () => {}, now: NOW });
  expect(result.plan.keep).toEqual([...EXPECTED_KEPT, '2026-11-04T02-15-00Z_web1']);
  expect(await setIdsOn(target)).toContain('2026-11-04T02-15-00Z_web1');
  expect(await setIdsOn(target)).not.toContain('2026-11-05T02-15-00Z_web1');
  await cleanup();
});

test('pruneAfterBackup does nothing unless retention.afterBackup is set', async () => {
  const target = createLocalTarget({ name: 'local', type: 'local', path: path.join(temp.dir, `after-${uniqueSuffix()}`) });
  const ids = await fillTarget(target);
  const config = { retention: POLICY } as unknown as Config;
  expect(await pruneAfterBackup(config, await fakeSetTrust(temp.dir), [target], () => {}, NOW)).toEqual([]);
  expect(await setIdsOn(target)).toEqual(ids);
  const results = await pruneAfterBackup({ retention: { ...POLICY, afterBackup: true } } as unknown as Config, await fakeSetTrust(temp.dir), [target], () => {}, NOW);
  expect(results[0]!.removed).toHaveLength(14);
  expect(await setIdsOn(target)).toEqual(EXPECTED_KEPT);
});

describe('drc prune', () => {
  test('plans per target, then deletes on the local folder and on S3', async () => {
    const localDir = path.join(temp.dir, `cli-local-${uniqueSuffix()}`);
    const offsite = s3.targetConfig(`cli-${uniqueSuffix()}`, 'offsite');
    // Recent sets, so the real clock of the child process keeps exactly the newest three.
    const times = [3, 2, 1, 0].map((daysAgo) => new Date(Date.now() - daysAgo * 86_400_000 - 3_600_000));
    const ids: string[] = [];
    for (const target of [createLocalTarget({ name: 'local', type: 'local', path: localDir }), createS3Target(offsite)]) {
      ids.length = 0; // the same times on both targets give the same ids
      for (const time of times) ids.push(await writeFakeSet(target, { time, items: [{ source: 'app-db' }] }));
    }
    const [oldest, ...newest] = ids;
    const configPath = path.join(temp.dir, `config-${uniqueSuffix()}.json`);
    await writeFile(
      configPath,
      JSON.stringify({
        sources: [{ name: 'app-db', type: 'postgres', url: 'postgres://postgres@/unused?host=/var/run/postgresql' }],
        targets: [{ name: 'local', type: 'local', path: localDir }, offsite],
        encryption: { passphraseEnv: 'DRC_TEST_PASSPHRASE' },
        retention: { keepLast: 3 },
        stateDir: path.join(temp.dir, `state-${uniqueSuffix()}`),
      }),
    );
    const env = { ...s3.env, DRC_TEST_PASSPHRASE: FAKE_SET_PASSPHRASE };

    const dry = await runDrc(['--config', configPath, 'prune', '--dry-run'], { env });
    expect(dry.exitCode).toBe(0);
    expect(dry.stderr).toMatch(/local: drop \S+ — beyond keep-last 3/);
    expect(dry.stderr).toMatch(/offsite: drop \S+ — beyond keep-last 3/);
    expect(dry.stderr).toContain(`local: drop ${oldest} — beyond keep-last 3`);
    expect(dry.stderr).toContain(`offsite: drop ${oldest} — beyond keep-last 3`);
    expect(dry.stderr).toContain('dry run: would remove 2 set(s) on 2 target(s); nothing deleted');
    expect(await readdir(localDir)).toHaveLength(4);

    const onlyLocal = await runDrc(['--config', configPath, '--json', 'prune', '--target', 'local'], { env });
    expect(onlyLocal.exitCode).toBe(0);
    const result = onlyLocal.events.find((event) => event.type === 'result') as { data: { targets: Array<{ target: string; removed: string[] }> } };
    expect(result.data.targets.map((t) => t.target)).toEqual(['local']);
    expect(result.data.targets[0]!.removed).toHaveLength(1);
    expect(await readdir(localDir)).toHaveLength(3);
    expect(result.data.targets[0]!.removed).toEqual([oldest]);
    expect((await setIdsOn(createLocalTarget({ name: 'local', type: 'local', path: localDir }))).sort()).toEqual([...newest].sort());
    expect(await setIdsOn(createS3Target(offsite))).toHaveLength(4);

    const all = await runDrc(['--config', configPath, 'prune'], { env });
    expect(all.exitCode).toBe(0);
    expect(all.stderr).toContain('removed 1 set(s) on 2 target(s)');
    expect(await setIdsOn(createS3Target(offsite))).toHaveLength(3);
    expect((await setIdsOn(createS3Target(offsite))).sort()).toEqual([...newest].sort());
  });

  test('refuses to run without a keep rule, naming the config key', async () => {
    const configPath = path.join(temp.dir, `config-${uniqueSuffix()}.json`);
    await writeFile(
      configPath,
      JSON.stringify({
        sources: [{ name: 'app-db', type: 'postgres', url: 'postgres://postgres@/unused?host=/var/run/postgresql' }],
        targets: [{ name: 'local', type: 'local', path: path.join(temp.dir, 'none') }],
        encryption: { passphraseEnv: 'DRC_TEST_PASSPHRASE' },
      }),
    );
    const run = await runDrc(['--config', configPath, 'prune']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('no retention policy: config.retention names no keepLast');
  });
});

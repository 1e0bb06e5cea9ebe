import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appendHistory } from '../../src/state/history.js';
import { createLocalTarget } from '../../src/storage/local.js';
import { runDrc } from '../helpers/drc.js';
import { FAKE_SET_PASSPHRASE, writeFakeSet } from '../helpers/fake-sets.js';
import { startDeadEndpoint } from '../helpers/s3rver.js';
import { makeTempDir, uniqueSuffix } from '../helpers/tmp.js';

const HOUR = 3_600_000;
let temp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  temp = await makeTempDir('drc-status-');
});

afterAll(async () => {
  await temp?.cleanup();
});

interface Setup {
  configPath: string;
  stateDir: string;
  backupDir: string;
}

/**
 * A real installation: a config file, a local target holding sets of app-db made `ageHours`
 * ago (each of `setBytes` stored bytes), and history records in the state folder.
 */
async function install(options: { ageHours?: number[]; setBytes?: number; drill?: 'ok' | 'failed' | 'none'; extraTargets?: unknown[] } = {}): Promise<Setup> {
  const base = path.join(temp.dir, uniqueSuffix());
  const backupDir = path.join(base, 'backups');
  const stateDir = path.join(base, 'state');
  const target = createLocalTarget({ name: 'local', type: 'local', path: backupDir });
  for (const ageHours of options.ageHours ?? [1]) {
    await writeFakeSet(target, { time: new Date(Date.now() - ageHours * HOUR), items: [{ source: 'app-db', bytes: options.setBytes ?? 1000 }] });
  }
  const drill = options.drill ?? 'ok';
  if (drill !== 'none') {
    await appendHistory(stateDir, {
      kind: 'drill',
      at: new Date(Date.now() - 48 * HOUR).toISOString(),
      source: 'app-db',
      ok: drill === 'ok',
      rtoMs: 95_000,
      rpoMs: 5 * HOUR,
      objectives: { rtoMs: 2 * HOUR },
      problems: drill === 'ok' ? [] : ['smoke check "customers present" returned 0, expected > 0'],
    });
  }
  const configPath = path.join(base, 'drc.json');
  await writeFile(
    configPath,
    JSON.stringify({
      sources: [{ name: 'app-db', type: 'postgres', url: 'postgres://postgres@/unused?host=/var/run/postgresql' }],
      targets: [{ name: 'local', type: 'local', path: backupDir }, ...(options.extraTargets ?? [])],
      encryption: { passphraseEnv: 'DRC_TEST_PASSPHRASE' },
      objectives: { maxAge: '26h', rpo: '48h', rto: '2h' },
      stateDir,
    }),
  );
  return { configPath, stateDir, backupDir };
}

const status = (setup: Setup, args: string[] = [], freeBytes = 10_000_000) =>
  runDrc(['--config', setup.configPath, ...args, 'status'], { env: { DRC_TEST_FREE_BYTES: String(freeBytes), DRC_TEST_PASSPHRASE: FAKE_SET_PASSPHRASE } });

describe('drc status', () => {
  test('fresh backups and a passed drill: OK, exit 0, one Nagios line with performance data first', async () => {
    const setup = await install({ ageHours: [1] });
    const run = await status(setup);
    expect(run.exitCode).toBe(0);
    const [first, ...rest] = run.stdout.split('\n');
    expect(first).toMatch(/^DRC OK - 1 source, 1 target, newest set 1h 0m ago \| age_app-db=360\ds;93600;172800 free_local=10000000B;2000:;1000:;0 drill_rto_app-db=95s$/);
    expect(rest).toContain('last drill of app-db: passed 2d 0h ago, RTO 1m 35s');
    expect(rest).toContain('last verify: never');
    expect(rest).toContain(`target local (${setup.backupDir}): 1 set(s), 9.5 MiB free (DRC_TEST_FREE_BYTES)`);
  });

  test('a newest set older than maxAge: WARNING, exit 1', async () => {
    const setup = await install({ ageHours: [30, 54] });
    const run = await status(setup);
    expect(run.exitCode).toBe(1);
    expect(run.stdout.split('\n')[0]).toMatch(/^DRC WARNING - app-db: newest set on local is 1d 6h old, beyond maxAge 1d 2h \| age_app-db=108\d\d\ds;93600;172800/);
  });

  test('a newest set older than the RPO: CRITICAL, exit 2', async () => {
    const setup = await install({ ageHours: [50] });
    const run = await status(setup);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toMatch(/^DRC CRITICAL - app-db: newest set on local is 2d 2h old, beyond the RPO of 2d 0h/);
  });

  test('no backup at all: CRITICAL', async () => {
    const setup = await install({ ageHours: [] });
    const run = await status(setup);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toMatch(/^DRC CRITICAL - app-db: no backup on local .*\| age_app-db=U;93600;172800/);
  });

  test('a failed restore drill: CRITICAL, naming the failed check', async () => {
    const setup = await install({ drill: 'failed' });
    const run = await status(setup);
    expect(run.exitCode).toBe(2);
    expect(run.stdout.split('\n')[0]).toContain('DRC CRITICAL - restore drill of app-db at ');
    expect(run.stdout).toContain('failed: smoke check "customers present" returned 0, expected > 0');
  });

  test('no drill ever: WARNING that the backups were never restored', async () => {
    const setup = await install({ drill: 'none' });
    const run = await status(setup);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('DRC WARNING - no restore drill has run yet');
  });

  test('free space for one more set but not two: WARNING; not even one: CRITICAL', async () => {
    const setup = await install({ setBytes: 1000 });
    // The set's stored bytes: the item (1000 B); SHA256SUMS and manifest are not counted.
    const tight = await status(setup, [], 1500);
    expect(tight.exitCode).toBe(1);
    expect(tight.stdout.split('\n')[0]).toContain('DRC WARNING - local: 1.5 KiB free (DRC_TEST_FREE_BYTES), the last set took 1000 B: room for one more set at most');
    const full = await status(setup, [], 900);
    expect(full.exitCode).toBe(2);
    expect(full.stdout.split('\n')[0]).toContain('DRC CRITICAL - local: 900 B free (DRC_TEST_FREE_BYTES), the last set took 1000 B: the next backup will not fit');
    expect(full.stdout.split('\n')[0]).toContain('free_local=900B;2000:;1000:;0');
  });

  test('an unreachable S3 target: CRITICAL, and the local target still reported', async () => {
    const endpoint = await startDeadEndpoint();
    const setup = await install({
      extraTargets: [{ name: 'offsite', type: 's3', bucket: 'drc-test', endpoint, accessKeyIdEnv: 'DRC_TEST_PASSPHRASE', secretAccessKeyEnv: 'DRC_TEST_PASSPHRASE' }],
    });
    const run = await runDrc(['--config', setup.configPath, 'status'], { env: { DRC_TEST_FREE_BYTES: '10000000', DRC_TEST_PASSPHRASE: FAKE_SET_PASSPHRASE } });
    expect(run.exitCode).toBe(2);
    expect(run.stdout.split('\n')[0]).toMatch(/^DRC CRITICAL - target offsite \(s3:\/\/drc-test\S*\) unreachable: /);
    expect(run.stdout).toContain('target local (');
    expect(run.stdout).not.toContain('not-a-real-key');
  });

  test('--json prints one object with the same verdict', async () => {
    const setup = await install({ ageHours: [30] });
    const run = await status(setup, ['--json']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(run.stdout) as { type: string; exitCode: number; data: Record<string, unknown> };
    expect(result).toMatchObject({ type: 'result', command: 'status', exitCode: 1 });
    expect(result.data).toMatchObject({ level: 'warning', sources: [{ source: 'app-db', target: 'local' }], targets: [{ target: 'local', reachable: true, sets: 1, freeBytes: 10_000_000 }] });
    expect((result.data.sources as Array<{ ageSeconds: number }>)[0]!.ageSeconds).toBeGreaterThanOrEqual(30 * 3600);
  });

  test('a config that does not load: CRITICAL on stdout too, so the monitor shows why', async () => {
    const configPath = path.join(temp.dir, `broken-${uniqueSuffix()}.json`);
    await writeFile(configPath, JSON.stringify({ sources: [], targets: [] }));
    const run = await runDrc(['--config', configPath, 'status'], { env: { DRC_TEST_PASSPHRASE: FAKE_SET_PASSPHRASE } });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toMatch(/^DRC CRITICAL - cannot check: invalid config .*config\.sources/);
  });

  test('keeps the report in the state folder and writes Prometheus metrics on request', async () => {
    const setup = await install({ ageHours: [1, 25] });
    const metricsFile = path.join(setup.stateDir, 'metrics', 'drc.prom');
    const run = await status(setup, [], 10_000_000).then(() => runDrc(['--config', setup.configPath, 'status', '--metrics', metricsFile], { env: { DRC_TEST_FREE_BYTES: '10000000', DRC_TEST_PASSPHRASE: FAKE_SET_PASSPHRASE } }));
    expect(run.exitCode).toBe(0);
    const saved = JSON.parse(await readFile(path.join(setup.stateDir, 'status.json'), 'utf8')) as { level: string; summary: string };
    expect(saved.level).toBe('ok');
    expect(saved.summary).toBe(run.stdout.split('\n')[0]);
    const metrics = await readFile(metricsFile, 'utf8');
    expect(metrics).toContain('# TYPE drc_newest_set_timestamp_seconds gauge');
    const stamp = Number(/drc_newest_set_timestamp_seconds\{source="app-db",target="local"\} (\d+)/.exec(metrics)![1]);
    expect(Math.abs(stamp - (Date.now() - HOUR) / 1000)).toBeLessThan(120);
    expect(metrics).toContain('drc_drill_rto_seconds{source="app-db"} 95');
    expect(metrics).toContain('drc_drill_success{source="app-db"} 1');
    expect(metrics).toContain('drc_status 0');
  });
});

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLocalTarget } from '../../src/storage/local.js';
import { appendHistory } from '../../src/state/history.js';
import { runDrc } from '../helpers/drc.js';
import { FAKE_SET_PASSPHRASE, writeFakeSet } from '../helpers/fake-sets.js';
import { makeTempDir } from '../helpers/tmp.js';
import { startRecordingServer } from './servers.js';

let http: Awaited<ReturnType<typeof startRecordingServer>>;
let temp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  http = await startRecordingServer();
  temp = await makeTempDir('drc-status-notify-');
});

afterAll(async () => {
  await http?.stop();
  await temp?.cleanup();
});

test('drc status notifies when the level changes, not on every hourly run', async () => {
  const backupDir = path.join(temp.dir, 'backups');
  const stateDir = path.join(temp.dir, 'state');
  const configPath = path.join(temp.dir, 'drc.json');
  await writeFile(
    configPath,
    JSON.stringify({
      sources: [{ name: 'app-db', type: 'postgres', url: 'postgres://postgres@/unused?host=/var/run/postgresql' }],
      targets: [{ name: 'local', type: 'local', path: backupDir }],
      encryption: { passphraseEnv: 'DRC_TEST_PASSPHRASE' },
      objectives: { maxAge: '26h' },
      notify: [{ type: 'webhook', urlEnv: 'DRC_TEST_WEBHOOK_URL' }],
      stateDir,
    }),
  );
  const env = { DRC_TEST_WEBHOOK_URL: `${http.url}/hooks/status`, DRC_TEST_FREE_BYTES: '100000000', DRC_TEST_PASSPHRASE: FAKE_SET_PASSPHRASE };
  const levels = () => http.requests.map((r) => (JSON.parse(r.body) as { kind: string; level: string }).level);

  expect((await runDrc(['--config', configPath, 'status'], { env })).exitCode).toBe(2);
  expect((await runDrc(['--config', configPath, 'status'], { env })).exitCode).toBe(2);
  expect(levels()).toEqual(['critical']);
  const first = JSON.parse(http.requests[0]!.body) as { kind: string; summary: string; details: string[] };
  expect(first.kind).toBe('status');
  expect(first.summary).toBe('DRC CRITICAL - app-db: no backup on local (+1 more)');
  expect(first.details).toContain('critical: app-db: no backup on local');

  await writeFakeSet(createLocalTarget({ name: 'local', type: 'local', path: backupDir }), { time: new Date(Date.now() - 3_600_000), items: [{ source: 'app-db' }] });
  await appendHistory(stateDir, { kind: 'drill', at: new Date().toISOString(), source: 'app-db', ok: true, rtoMs: 1000, objectives: {}, problems: [] });
  expect((await runDrc(['--config', configPath, 'status'], { env })).exitCode).toBe(0);
  expect((await runDrc(['--config', configPath, 'status'], { env })).exitCode).toBe(0);
  expect(levels()).toEqual(['critical', 'ok']);
});

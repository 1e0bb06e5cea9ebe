import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrc } from '../helpers/drc.js';
import { writeJson } from '../helpers/fixtures.js';
import { createPgDatabase, type TestPgDatabase } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';

interface Received {
  path: string;
  body: string;
}

/** A loopback HTTP server that records every request: the webhook and the healthchecks URL. */
async function startRecorder(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body });
      response.writeHead(200).end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('drc backup as the scheduler runs it', () => {
  let pgDb: TestPgDatabase;
  let work: { dir: string; cleanup: () => Promise<void> };
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let config: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    [pgDb, work, recorder] = await Promise.all([createPgDatabase(), makeTempDir(), startRecorder()]);
    await pgDb.query(`CREATE TABLE calls (id int PRIMARY KEY, transcript text); INSERT INTO calls SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 3000) g;
                      CREATE TABLE invoices (id int PRIMARY KEY); INSERT INTO invoices SELECT generate_series(1, 10)`);
    config = path.join(work.dir, 'drc.json');
    env = { DRC_PASSPHRASE: 'job-test-passphrase', HOOK_URL: `${recorder.url}/hook`, PING_URL: `${recorder.url}/ping/abc` };
    await writeJson(config, {
      sources: [{ name: 'core-db', type: 'postgres', url: pgDb.url }],
      targets: [{ name: 'local', type: 'local', path: path.join(work.dir, 'backups') }],
      encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
      retention: { keepLast: 2, afterBackup: true },
      notify: [
        { type: 'webhook', urlEnv: 'HOOK_URL' },
        { type: 'healthchecks', urlEnv: 'PING_URL' },
      ],
      stateDir: path.join(work.dir, 'state'),
    });
  });
  afterAll(async () => {
    await Promise.all([pgDb?.drop(), work?.cleanup(), recorder?.close()]);
  });

  it('pings start and success, prunes after the backup, writes metrics, and stays quiet while all is well', async () => {
    const metrics = path.join(work.dir, 'drc.prom');
    for (let run = 0; run < 3; run += 1) {
      const result = await runDrc(['--config', config, 'backup', '--metrics', metrics], { env });
      expect(result.exitCode, result.stderr).toBe(0);
    }
    expect((await readdir(path.join(work.dir, 'backups'))).length).toBe(2);
    expect(recorder.received.map((r) => r.path)).toEqual(['/ping/abc/start', '/ping/abc', '/ping/abc/start', '/ping/abc', '/ping/abc/start', '/ping/abc']);
    const prom = await readFile(metrics, 'utf8');
    expect(prom).toMatch(/drc_newest_set_timestamp_seconds\{[^}]*source="core-db"[^}]*\} \d+/);
  });

  it('warns (exit 1) and notifies when a set lost a table or shrank to under half of the previous one', async () => {
    recorder.received.length = 0;
    await pgDb.query('DROP TABLE invoices; DELETE FROM calls WHERE id > 100');
    const result = await runDrc(['--config', config, 'backup'], { env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/warning: .*core-db.*under 50%/);
    expect(result.stderr).toMatch(/tables gone since .*public\.invoices/);
    const hook = recorder.received.find((r) => r.path === '/hook');
    expect(hook, JSON.stringify(recorder.received)).toBeDefined();
    expect(JSON.parse(hook!.body)).toMatchObject({ level: 'warning', kind: 'backup' });
    expect(hook!.body).not.toContain('job-test-passphrase');
  });

  it('pings fail and notifies critical when the backup fails', async () => {
    recorder.received.length = 0;
    const broken = path.join(work.dir, 'broken.json');
    const original = JSON.parse(await readFile(config, 'utf8'));
    await writeJson(broken, { ...original, sources: [{ name: 'core-db', type: 'postgres', url: `postgres://postgres@127.0.0.1:1/${pgDb.name}` }] });
    const result = await runDrc(['--config', broken, 'backup'], { env });
    expect(result.exitCode).toBe(2);
    expect(recorder.received.map((r) => r.path)).toContain('/ping/abc/fail');
    const hook = recorder.received.find((r) => r.path === '/hook');
    expect(JSON.parse(hook!.body)).toMatchObject({ level: 'critical', kind: 'backup' });
  });
});

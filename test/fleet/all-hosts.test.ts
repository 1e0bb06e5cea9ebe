import { createServer, request, type Server } from 'node:http';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FORMAT, type Manifest } from '../../src/sets/manifest.js';
import { makeSetId } from '../../src/sets/set-id.js';
import { createS3Client } from '../../src/storage/s3-client.js';
import { runDrc } from '../helpers/drc.js';
import { startS3rver, type TestS3rver } from '../helpers/s3rver.js';
import { makeTempDir } from '../helpers/tmp.js';

const PREFIX = 'fleet';
const HOUR = 3_600_000;
let s3: TestS3rver;
let proxy: Server;
let requests: string[] = [];
let configFile: string;
let cleanupDir: () => Promise<void>;

/** A pass-through HTTP proxy in front of s3rver that records every request drc makes. */
async function startCountingProxy(upstream: string): Promise<{ server: Server; endpoint: string }> {
  const target = new URL(upstream);
  const server = createServer((incoming, outgoing) => {
    requests.push(`${incoming.method} ${incoming.url}`);
    const forward = request({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

function manifestFor(id: string, host: string, status: Manifest['status']): Manifest {
  const sha = 'a'.repeat(64);
  return {
    format: MANIFEST_FORMAT,
    set: id,
    host,
    drcVersion: 'test',
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    status,
    encryption: { passphrase: true, recipients: [], cipher: 'AES-256' },
    items: [{ source: 'app-db', type: 'postgres', file: 'app-db.dump.zst.gpg', storedBytes: 2048, sha256: sha, plain: { bytes: 4096, sha256: sha }, compression: 'zstd', encryption: 'openpgp', startedAt: '', finishedAt: '' }],
    failures: status === 'partial' ? [{ source: 'files', type: 'files', error: 'tar failed' }] : [],
  };
}

beforeAll(async () => {
  s3 = await startS3rver();
  Object.assign(process.env, s3.env);
  const client = createS3Client(s3.targetConfig(PREFIX));
  const put = (key: string, body: string) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${PREFIX}/${key}`, Body: body }));
  const now = Date.now();
  // web1: a thousand sets, hourly, the newest minutes old, and a passed server drill.
  const web1 = Array.from({ length: 1000 }, (_, index) => makeSetId(new Date(now - 10 * 60_000 - index * HOUR), 'web1'));
  for (let start = 0; start < web1.length; start += 25) {
    await Promise.all(web1.slice(start, start + 25).map((id, offset) => put(`${id}/manifest.json`, start + offset === 0 ? JSON.stringify(manifestFor(id, 'web1', 'complete')) : '{}')));
  }
  await put('drills/web1.json', JSON.stringify({ format: 'drc-drill/1', host: 'web1', at: new Date(now - 2 * 86_400_000).toISOString(), scope: 'server', ok: true, rtoMs: 90_000, rpoMs: 600_000, problems: [] }));
  // web2: stale, its newest set 30 hours old.
  const stale = makeSetId(new Date(now - 30 * HOUR), 'web2');
  await put(`${stale}/manifest.json`, JSON.stringify(manifestFor(stale, 'web2', 'complete')));
  // db1: the newest set is partial (a source failed); a newer folder without a manifest is a backup in progress.
  const partial = makeSetId(new Date(now - HOUR), 'db1');
  await put(`${partial}/manifest.json`, JSON.stringify(manifestFor(partial, 'db1', 'partial')));
  await put(`${makeSetId(new Date(now - 60_000), 'db1')}/app-db.dump.zst.gpg`, 'in progress');
  client.destroy();

  const started = await startCountingProxy(s3.endpoint);
  proxy = started.server;
  const made = await makeTempDir('drc-fleet-');
  cleanupDir = made.cleanup;
  configFile = path.join(made.dir, 'drc.json');
  const config = {
    sources: [{ name: 'app-db', type: 'postgres', url: 'postgres://postgres@/app?host=/var/run/postgresql' }],
    targets: [{ ...s3.targetConfig(PREFIX), endpoint: started.endpoint }],
    encryption: { passphraseEnv: 'DRC_FLEET_PASS' },
    objectives: { maxAge: '26h', drillMaxAge: '35d' },
    stateDir: path.join(made.dir, 'state'),
  };
  await writeFile(configFile, JSON.stringify(config), { mode: 0o600 });
}, 180_000);

afterAll(async () => {
  proxy?.close();
  await s3?.stop();
  await cleanupDir?.();
});

describe('drc status --all-hosts / backups --all-hosts', () => {
  it('gives every host under the bucket its line and the worst exit code: one ok, one stale, one partial', async () => {
    requests = [];
    const run = await runDrc(['--config', configFile, 'status', '--all-hosts'], { env: s3.env });
    expect(run.exitCode, run.stderr).toBe(2);
    const [summary, ...lines] = run.stdout.trim().split('\n');
    expect(summary).toMatch(/^DRC CRITICAL - 3 host\(s\): 1 ok, 1 warning, 1 critical \| age_db1=\d+s age_web1=\d+s age_web2=\d+s$/);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^db1 {2}CRITICAL {2}newest \S+_db1 .*newest set is PARTIAL: files failed/);
    expect(lines[1]).toMatch(/^web1 {2}OK {2}newest \S+_web1 {2}\d+m \d+s old {2}2\.0 KiB {2}1000 set folder\(s\) on offsite {2}last drill passed 2d 0h ago \(server\)$/);
    expect(lines[2]).toMatch(/^web2 {2}WARNING {2}newest \S+_web2 {2}1d 6h old .*— newest set 1d 6h old, beyond maxAge 1d 2h; never drilled$/);
  });

  it('reads a thousand sets per host with delimiter listings and the newest manifests only, not a scan', async () => {
    requests = [];
    const run = await runDrc(['--config', configFile, 'backups', '--all-hosts', '--json'], { env: s3.env });
    expect(run.exitCode, run.stderr).toBe(2);
    const hosts = run.events.filter((event) => event.type === 'host');
    expect(hosts.map((host) => [host.host, host.level])).toEqual([['db1', 'critical'], ['web1', 'ok'], ['web2', 'warning']]);
    const lists = requests.filter((line) => /[?&]list-type=2/.test(line));
    expect(lists.every((line) => /delimiter=%2F/.test(line))).toBe(true);
    // 1,003 set folders plus drills/: at most two pages of 1,000 common prefixes (s3rver may send one).
    expect(lists.length).toBeGreaterThanOrEqual(1);
    expect(lists.length).toBeLessThanOrEqual(2);
    const manifests = requests.filter((line) => line.startsWith('GET') && line.includes('/manifest.json'));
    // One per host, plus db1's in-progress folder (no manifest there).
    expect(manifests).toHaveLength(4);
    // Besides the listing: the four manifest reads and one drill record per host, nothing per set.
    expect(requests.length - lists.length).toBe(4 + 3);
  });
});

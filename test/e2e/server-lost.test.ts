import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSetId, parseSetId } from '../../src/sets/set-id.js';
import { createS3Client } from '../../src/storage/s3-client.js';
import { drcCommand } from '../helpers/drc.js';
import { S3RVER_KEY_ENV, S3RVER_SECRET_ENV } from '../helpers/s3rver.js';
import { makeTestServer, PASS_ENV, type TestServer } from './server-fixture.js';

let server: TestServer;
let before: Awaited<ReturnType<TestServer['snapshot']>>;

beforeAll(async () => {
  server = await makeTestServer();
  const backup = await server.drc(['--config', server.configFile, 'backup']);
  expect(backup.exitCode, backup.stderr).toBe(0);
  before = await server.snapshot();
}, 180_000);

afterAll(async () => {
  await server?.cleanup();
});

/** A copy of the newest set under a newer id, its manifest changed but its seal copied as it was. */
async function plantForgedSet(): Promise<string> {
  Object.assign(process.env, server.s3.env);
  const client = createS3Client(server.s3.targetConfig(server.prefix));
  const base = `${server.prefix}/`;
  const listed = await client.send(new ListObjectsV2Command({ Bucket: server.s3.bucket, Prefix: base }));
  const keys = (listed.Contents ?? []).map((object) => object.Key!).filter((key) => /Z_[^/]+\/[^/]+$/.test(key.slice(base.length)));
  const real = keys[0]!.slice(base.length).split('/')[0]!;
  const { time, host } = parseSetId(real)!;
  const forged = makeSetId(new Date(time.getTime() + 60_000), host);
  for (const key of keys.filter((entry) => entry.startsWith(`${base}${real}/`))) {
    const body = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: server.s3.bucket, Key: key }))).Body!.transformToByteArray());
    const name = key.slice(`${base}${real}/`.length);
    const content = name === 'manifest.json' ? Buffer.from(body.toString('utf8').replaceAll(real, forged)) : body;
    await client.send(new PutObjectCommand({ Bucket: server.s3.bucket, Key: `${base}${forged}/${name}`, Body: content }));
  }
  client.destroy();
  return forged;
}

async function removeSet(id: string): Promise<void> {
  const client = createS3Client(server.s3.targetConfig(server.prefix));
  const listed = await client.send(new ListObjectsV2Command({ Bucket: server.s3.bucket, Prefix: `${server.prefix}/${id}/` }));
  for (const object of listed.Contents ?? []) await client.send(new DeleteObjectCommand({ Bucket: server.s3.bucket, Key: object.Key! }));
  client.destroy();
}

function fromFlags(): string[] {
  return ['--endpoint', server.s3.endpoint, '--access-key-env', S3RVER_KEY_ENV, '--secret-key-env', S3RVER_SECRET_ENV];
}

describe('the server is gone: bare-metal recovery from the offsite copy', () => {
  it('each set carries the config and a system inventory, and show-system prints it as a rebuild checklist', async () => {
    const shown = await server.drc(['--config', server.configFile, 'show-system', 'latest']);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^Rebuild checklist for host /);
    expect(shown.stdout).toMatch(/1\. Machine: .*kernel/);
    expect(shown.stdout).toMatch(/user \(no name\) id 1234 +owns files in /);
    expect(shown.stdout).toContain(`${server.appDir}: mode 0755, uid 0, gid 0`);
    const sums = await readdir(server.localTarget);
    const set = sums.find((name) => name.includes('Z_'))!;
    const listed = await readFile(path.join(server.localTarget, set, 'SHA256SUMS'), 'utf8');
    expect(listed).toMatch(/drc\.config\.json\.(zst|gz)\.gpg/);
    expect(listed).toMatch(/drc\.system\.json\.(zst|gz)\.gpg/);
  });

  it('init --from then restore latest --all brings every database and file back identical on the machine acting as a new one', async () => {
    await server.wipe();
    // Someone with write access to the bucket planted a newer set with an altered manifest: skipped.
    const forged = await plantForgedSet();
    const newConfig = path.join(server.dir, 'new-etc', 'drc.json');
    const init = await server.drc(['--config', newConfig, 'init', '--from', `s3://${server.s3.bucket}/${server.prefix}`, ...fromFlags(), '--passphrase-env', PASS_ENV]);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stderr).toMatch(/hosts at s3:\/\/.*2 set\(s\)/);
    expect(init.stderr).toContain(`set ${forged} not taken: set ${forged}: manifest not authenticated`);
    expect(init.stdout + init.stderr).not.toContain(`from set ${forged}`);
    // restore refuses "latest" while a forged newer set is there (it names the authentic one); the person removes it.
    await removeSet(forged);
    const written = JSON.parse(await readFile(newConfig, 'utf8'));
    expect(written.sources.map((source: { name: string }) => source.name)).toEqual(['core-db', 'app-db', 'app']);
    expect(written.targets.find((target: { type: string }) => target.type === 's3').endpoint).toBe(server.s3.endpoint);

    const restore = await server.drc(['--config', newConfig, 'restore', 'latest', '--all', '--yes']);
    expect(restore.exitCode, restore.stderr).toBe(0);
    // One plan before, one summary after, databases before files.
    const plan = restore.stderr.indexOf('restore --all from set');
    const summary = restore.stderr.indexOf('summary of restore --all');
    expect(plan).toBeGreaterThanOrEqual(0);
    expect(summary).toBeGreaterThan(plan);
    expect(restore.stderr.slice(plan, summary)).toMatch(/1\. core-db \(postgres\): PostgreSQL database "\S+" does not exist: created and loaded[\s\S]*2\. app-db \(mysql\)[\s\S]*3\. app \(files\)/);
    expect(restore.stderr.slice(summary)).toMatch(/RESTORED\s+core-db \(postgres\) [\d.]+m?s/);
    expect(await server.snapshot()).toEqual(before);
  });

  it('the bundled server-lost playbook runs end to end headless, and the incident records the whole-server RTO', async () => {
    await server.wipe();
    // "Install drc" checks that drc is on PATH, as it would be on the new machine.
    const bin = path.join(server.dir, 'bin');
    await mkdir(bin, { recursive: true });
    const { command, args } = drcCommand();
    await writeFile(path.join(bin, 'drc'), `#!/bin/sh\nexec ${[command, ...args].map((word) => `'${word}'`).join(' ')} "$@"\n`, { mode: 0o755 });
    const newConfig = path.join(server.dir, 'rebuilt', 'drc.json');
    const run = await server.drc(
      [
        '--config', newConfig, 'run', 'server-lost', '--yes', '--state-dir', server.stateDir, '--var', `passphrase_env=${PASS_ENV}`,
        '--var', `from=s3://${server.s3.bucket}/${server.prefix}`,
        '--var', `endpoint=${server.s3.endpoint}`, '--var', `access_key_env=${S3RVER_KEY_ENV}`, '--var', `secret_key_env=${S3RVER_SECRET_ENV}`,
      ],
      { env: { PATH: `${bin}:${process.env.PATH}` } },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await server.snapshot()).toEqual(before);
    const [id] = await readdir(path.join(server.stateDir, 'incidents'));
    const postmortem = await server.drc(['--config', newConfig, 'postmortem', id!, '--out', path.join(server.dir, 'pm.md')], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(postmortem.exitCode, postmortem.stderr).toBe(0);
    const report = await readFile(path.join(server.dir, 'pm.md'), 'utf8');
    expect(report).toMatch(/RTO[^\n]*\d/);
    expect(report).toContain('Confirm from the outside');
  });
});

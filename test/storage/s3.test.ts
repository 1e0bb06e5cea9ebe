import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DrcError } from '../../src/errors.js';
import { chooseUploadParts, createS3Target } from '../../src/storage/s3.js';
import { startDeadEndpoint, startS3rver, type TestS3rver } from '../helpers/s3rver.js';
import { uniqueSuffix } from '../helpers/tmp.js';

const MiB = 1024 * 1024;
let s3: TestS3rver;

beforeAll(async () => {
  s3 = await startS3rver();
  Object.assign(process.env, s3.env);
});

afterAll(async () => {
  await s3?.stop();
});

/** A fresh prefix per test, so tests share one server without seeing each other's sets. */
function freshTarget(name = 'offsite') {
  return createS3Target(s3.targetConfig(`t-${uniqueSuffix()}`, name));
}

/** Random bytes in 1 MiB chunks, the way a dump pipeline hands them over. */
function chunksOf(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += MiB) chunks.push(data.subarray(offset, offset + MiB));
  return Readable.from(chunks);
}

async function writeItem(target: ReturnType<typeof createS3Target>, setId: string, file: string, data: Buffer, expectedBytes?: number) {
  const writer = await target.createItemWriter(setId, file, expectedBytes);
  await pipeline(chunksOf(data), writer.stream);
  await writer.commit();
}

async function readAll(stream: Readable): Promise<Buffer> {
  return Buffer.concat((await stream.toArray()) as Buffer[]);
}

async function failureOf(promise: Promise<unknown>): Promise<DrcError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DrcError);
  return error as DrcError;
}

describe('S3 target', () => {
  test('streams a multi-part item of several MiB and reads it back byte for byte', async () => {
    const target = freshTarget();
    const data = randomBytes(12 * MiB + 12345);
    await writeItem(target, 'set-a', 'app-db.sql.zst.gpg', data, data.length);

    const { stream, bytes } = await target.openRead('set-a', 'app-db.sql.zst.gpg');
    expect(bytes).toBe(data.length);
    expect((await readAll(stream)).equals(data)).toBe(true);
    expect(await target.listFiles('set-a')).toEqual([{ name: 'app-db.sql.zst.gpg', bytes: data.length }]);
  });

  test('streams an item of unknown length as the exact bytes written', async () => {
    const target = freshTarget();
    const data = randomBytes(3 * MiB + 7);
    await writeItem(target, 'set-a', 'app.tar.zst.gpg', data);
    expect((await target.readFile('set-a', 'app.tar.zst.gpg'))?.equals(data)).toBe(true);
  });

  test('writes, reads and lists small files; a missing file reads as undefined', async () => {
    const target = freshTarget();
    await target.writeFile('set-a', 'SHA256SUMS', 'abc  app.tar.zst.gpg\n');
    await target.writeFile('set-a', 'RESTORE.md', Buffer.from('# Restore\n'));

    expect((await target.readFile('set-a', 'SHA256SUMS'))?.toString()).toBe('abc  app.tar.zst.gpg\n');
    expect(await target.readFile('set-a', 'manifest.json')).toBeUndefined();
    const files = await target.listFiles('set-a');
    expect(files.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'RESTORE.md', bytes: 10 },
      { name: 'SHA256SUMS', bytes: 21 },
    ]);
    expect(await target.listFiles('no-such-set')).toEqual([]);
  });

  test('lists a set as complete only once manifest.json is there', async () => {
    const target = freshTarget();
    const before = Date.now() - 5_000;
    await target.writeFile('2026-11-22T02-00-00Z_web1', 'app.tar.zst.gpg', 'x');
    expect(await target.listSets()).toEqual([
      { id: '2026-11-22T02-00-00Z_web1', hasManifest: false, modifiedAt: expect.any(Date) },
    ]);

    await target.writeFile('2026-11-22T02-00-00Z_web1', 'manifest.json', '{}');
    const [entry] = await target.listSets();
    expect(entry).toMatchObject({ id: '2026-11-22T02-00-00Z_web1', hasManifest: true });
    expect(entry!.modifiedAt.getTime()).toBeGreaterThan(before);
  });

  test('keeps sets under its own prefix apart from a neighbouring prefix', async () => {
    const tag = uniqueSuffix();
    const prod = createS3Target(s3.targetConfig(`prod-${tag}`));
    const production = createS3Target(s3.targetConfig(`/prod-${tag}-x/`));
    await prod.writeFile('set-1', 'manifest.json', '{}');
    await production.writeFile('set-2', 'manifest.json', '{}');

    expect((await prod.listSets()).map((set) => set.id)).toEqual(['set-1']);
    expect((await production.listSets()).map((set) => set.id)).toEqual(['set-2']);
    expect(prod.location).toBe(`s3://${s3.bucket}/prod-${tag}`);
    expect(production.describeFile('set-2', 'manifest.json')).toBe(`s3://${s3.bucket}/prod-${tag}-x/set-2/manifest.json`);
    expect(createS3Target(s3.targetConfig()).location).toBe(`s3://${s3.bucket}`);
  });

  test('removes a set, manifest.json first, then every other file', async () => {
    const recorder = await startRecordingProxy(s3.endpoint);
    try {
      const target = createS3Target({ ...s3.targetConfig(`t-${uniqueSuffix()}`), endpoint: recorder.endpoint });
      for (const file of ['app.tar.zst.gpg', 'SHA256SUMS', 'RESTORE.md', 'manifest.json']) await target.writeFile('old', file, file);
      await target.writeFile('kept', 'manifest.json', '{}');
      recorder.requests.length = 0;

      await target.removeSet('old');

      const deletes = recorder.requests.filter((line) => line.startsWith('DELETE') || line.includes('?delete'));
      expect(deletes[0]).toMatch(/^DELETE .*\/old\/manifest\.json(\?|$)/);
      expect(deletes.length).toBeGreaterThan(1);
      expect((await target.listSets()).map((set) => set.id)).toEqual(['kept']);
      expect(await target.listFiles('old')).toEqual([]);
    } finally {
      await recorder.stop();
    }
  });

  test('a download cut off mid-stream fails with the target named, not a bare socket error', async () => {
    const prefix = `t-${uniqueSuffix()}`;
    await writeItem(createS3Target(s3.targetConfig(prefix)), 'set-a', 'app.tar.zst.gpg', randomBytes(3 * MiB));
    const cutter = await startRecordingProxy(s3.endpoint, { cutResponsesAfter: MiB });
    try {
      const viaCutter = createS3Target({ ...s3.targetConfig(prefix), endpoint: cutter.endpoint });
      const { stream, bytes } = await viaCutter.openRead('set-a', 'app.tar.zst.gpg');
      expect(bytes).toBe(3 * MiB);
      const error = await failureOf(readAll(stream));
      expect(error.message).toMatch(new RegExp(`^target offsite: cannot reach s3://${s3.bucket} at ${cutter.endpoint}: `));
    } finally {
      await cutter.stop();
    }
  });

  test('an aborted writer leaves nothing behind, whether parts were uploaded or not', async () => {
    const target = freshTarget();
    const multipart = await target.createItemWriter('set-a', 'big.gpg', 40 * MiB);
    multipart.stream.write(randomBytes(7 * MiB));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await multipart.abort();

    const single = await target.createItemWriter('set-a', 'small.gpg');
    single.stream.write(randomBytes(1000));
    await single.abort();
    await single.abort();

    const committed = await target.createItemWriter('set-a', 'done.gpg');
    await pipeline(chunksOf(randomBytes(1000)), committed.stream);
    await committed.commit();
    await committed.abort();

    expect(await target.listFiles('set-a')).toEqual([]);
    expect(await target.listSets()).toEqual([]);
  });

  test('a writer whose source fails stores nothing, and commit() reports it instead of waiting', async () => {
    const target = freshTarget();
    const writer = await target.createItemWriter('set-a', 'app-db.sql.zst.gpg');
    const failingDump = Readable.from((async function* () {
      yield randomBytes(MiB);
      throw new Error('mysqldump exited with code 2');
    })());
    await expect(pipeline(failingDump, writer.stream)).rejects.toThrow('mysqldump exited with code 2');
    expect((await failureOf(writer.commit())).message).toContain('mysqldump exited with code 2');
    expect(await target.listFiles('set-a')).toEqual([]);
  });

  test('an upload that fails makes the pipeline writing into it fail with the target named', async () => {
    const target = createS3Target({ ...s3.targetConfig(), bucket: 'no-such-bucket' });
    const writer = await target.createItemWriter('set-a', 'app.tar.zst.gpg', 200 * MiB);
    const chunk = randomBytes(MiB);
    // Far more than the upload buffers, so the pipeline is still writing when the upload fails.
    const endless = Readable.from((function* () {
      for (let sent = 0; sent < 200; sent++) yield chunk;
    })());
    const error = await failureOf(pipeline(endless, writer.stream));
    expect(error.message).toBe(`target offsite: bucket "no-such-bucket" does not exist at ${s3.endpoint}`);
    expect(await failureOf(writer.commit())).toBe(error);
    await writer.abort();
  });

  test('checkReachable passes for a live bucket and names a missing one', async () => {
    await freshTarget().checkReachable();
    const error = await failureOf(createS3Target({ ...s3.targetConfig(), bucket: 'acme-dr' }).checkReachable());
    expect(error.message).toBe(`target offsite: bucket "acme-dr" does not exist at ${s3.endpoint}`);
    expect(error.hint).toContain('targets[].bucket');
  });

  test('an unreachable endpoint fails within seconds, naming target, bucket, endpoint and the fix', async () => {
    const endpoint = await startDeadEndpoint();
    const target = createS3Target({ ...s3.targetConfig(undefined, 'backup-site'), endpoint });
    const started = Date.now();
    const error = await failureOf(target.checkReachable());
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.message).toMatch(new RegExp(`^target backup-site: cannot reach s3://${s3.bucket} at ${endpoint}: .*ECONNREFUSED`));
    expect(error.hint).toContain('endpoint');
    expect(error.exitCode).toBe(2);

    const readError = await failureOf(target.listSets());
    expect(readError.message).toContain('target backup-site: cannot reach');
  });

  test('never shows credential values in errors, only where they come from', async () => {
    const keyId = `AKIA${uniqueSuffix().replace(/[^a-z0-9]/gi, '').toUpperCase()}`;
    const secret = `wJalr/${uniqueSuffix()}/EXAMPLEKEY`;
    process.env.DRC_TEST_LEAK_KEY = keyId;
    process.env.DRC_TEST_LEAK_SECRET = secret;
    const config = { ...s3.targetConfig(), accessKeyIdEnv: 'DRC_TEST_LEAK_KEY', secretAccessKeyEnv: 'DRC_TEST_LEAK_SECRET' };

    const denied = await failureOf(createS3Target(config).checkReachable());
    const unreachable = await failureOf(createS3Target({ ...config, endpoint: await startDeadEndpoint() }).writeFile('s', 'f', 'x'));
    const missing = await failureOf(createS3Target({ ...config, secretAccessKeyEnv: 'DRC_TEST_UNSET_SECRET' }).listSets());

    expect(denied.message).toContain('target offsite: access to s3://drc-test');
    expect(denied.hint).toContain('env DRC_TEST_LEAK_KEY and env DRC_TEST_LEAK_SECRET');
    expect(missing.message).toContain('DRC_TEST_UNSET_SECRET');
    for (const error of [denied, unreachable, missing]) {
      const shown = `${error.message}\n${error.hint ?? ''}`;
      expect(shown).not.toContain(keyId);
      expect(shown).not.toContain(secret);
    }
  });

  test('lists and removes past the 1000-key page of a listing', async () => {
    const target = freshTarget();
    const files = Array.from({ length: 1005 }, (_, index) => `part-${String(index).padStart(4, '0')}.gpg`);
    await runInParallel(files, 16, (file) => target.writeFile('huge', file, 'x'));
    await target.writeFile('huge', 'manifest.json', '{}');
    await target.writeFile('small', 'manifest.json', '{}');

    expect((await target.listSets()).sort((a, b) => a.id.localeCompare(b.id)).map((set) => [set.id, set.hasManifest])).toEqual([
      ['huge', true],
      ['small', true],
    ]);
    expect(await target.listFiles('huge')).toHaveLength(1006);

    await target.removeSet('huge');
    expect((await target.listSets()).map((set) => set.id)).toEqual(['small']);
  });
});

describe('chooseUploadParts', () => {
  test('fits a 1 TiB stream of unknown length in 10,000 parts, one in memory at a time', () => {
    const { partSize, queueSize } = chooseUploadParts();
    expect(partSize * 10_000).toBeGreaterThanOrEqual(1024 ** 4);
    expect(partSize % MiB).toBe(0);
    expect(queueSize).toBe(1);
  });

  test('sizes known uploads to S3 minimums and limits, with room for a short estimate', () => {
    expect(chooseUploadParts(1000)).toEqual({ partSize: 5 * MiB, queueSize: 4 });
    const large = chooseUploadParts(500 * 1024 ** 3);
    expect(Math.ceil((500 * 1024 ** 3 * 1.1) / large.partSize)).toBeLessThanOrEqual(10_000);
    expect(large.partSize * large.queueSize).toBeLessThanOrEqual(64 * MiB);
  });
});

async function runInParallel<T>(items: T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
    }),
  );
}

/**
 * A pass-through HTTP proxy in front of s3rver that records "METHOD path" of every request and,
 * when asked, drops the connection after that many bytes of a response body.
 */
async function startRecordingProxy(
  upstream: string,
  options: { cutResponsesAfter?: number } = {},
): Promise<{ endpoint: string; requests: string[]; stop(): Promise<void> }> {
  const target = new URL(upstream);
  const requests: string[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    requests.push(`${incoming.method} ${incoming.url}`);
    const forward = request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        const limit = options.cutResponsesAfter;
        if (limit === undefined) {
          response.pipe(outgoing);
          return;
        }
        let sent = 0;
        response.on('data', (chunk: Buffer) => {
          if (sent >= limit) return;
          outgoing.write(chunk.subarray(0, limit - sent));
          sent += chunk.length;
          if (sent >= limit) outgoing.socket?.destroy();
        });
      },
    );
    incoming.pipe(forward);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { S3TargetConfig } from '../../src/config/schema.js';
import { makeTempDir } from './tmp.js';

const SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 's3rver-process.cjs');
const BUCKET = 'drc-test';
/** drc's test credentials (registered in the s3rver process beside its built-in S3RVER/S3RVER). */
export const S3_TEST_KEY_ID = 'DRCTESTKEYID0001';
export const S3_TEST_SECRET = 'drc-test-s3-secret-9f2c1e7b';

/** s3rver's built-in account; the names below are what a drc config refers to. */
export const S3RVER_KEY_ENV = 'DRC_TEST_S3_KEY';
export const S3RVER_SECRET_ENV = 'DRC_TEST_S3_SECRET';

export interface TestS3rver {
  endpoint: string;
  bucket: string;
  /** s3rver's data folder: objects live under <dir>/<bucket>/. */
  dir: string;
  stop(): Promise<void>;
  /** An S3 target for this server, its credentials named by env var (see `env`). */
  targetConfig(prefix?: string, name?: string): S3TargetConfig;
  /** The env vars targetConfig() refers to, for process.env or runDrc({ env }). */
  env: Record<string, string>;
}

/**
 * Starts a real S3 server (s3rver) on 127.0.0.1, a free port and a fresh folder, with one empty
 * bucket. It runs in a child process so that it can have --openssl-legacy-provider (needed for
 * listings longer than 1000 keys) without touching the test workers' own flags.
 */
export async function startS3rver(): Promise<TestS3rver> {
  const { dir, cleanup } = await makeTempDir('drc-s3rver-');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', SERVER_SCRIPT, dir, BUCKET], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, DRC_TEST_S3_KEY_ID: S3_TEST_KEY_ID, DRC_TEST_S3_SECRET_VALUE: S3_TEST_SECRET },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const [firstLine] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`s3rver exited with code ${String(code)} before listening: ${stderr}`);
    }),
  ])) as [string];
  lines.close();
  const { port } = JSON.parse(firstLine) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;

  return {
    endpoint,
    bucket: BUCKET,
    dir,
    env: { [S3RVER_KEY_ENV]: S3_TEST_KEY_ID, [S3RVER_SECRET_ENV]: S3_TEST_SECRET },
    targetConfig: (prefix, name = 'offsite') => ({
      name,
      type: 's3',
      bucket: BUCKET,
      endpoint,
      ...(prefix === undefined ? {} : { prefix }),
      accessKeyIdEnv: S3RVER_KEY_ENV,
      secretAccessKeyEnv: S3RVER_SECRET_ENV,
    }),
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.stdin.end();
        await exited;
      }
      await cleanup();
    },
  };
}

/**
 * An http endpoint on 127.0.0.1 where nothing listens (a port that was free a moment ago), so
 * connections are refused at once: what a target sees when its S3 server is down.
 */
export async function startDeadEndpoint(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { findOnPath } from '../sources/tools.js';
import { childEnv } from '../trust/child-env.js';
import { startStage, type ChildStage } from './child-stage.js';
import type { Compression } from './compress.js';
import { createEncryptor, type EncryptionSettings } from './encryption.js';
import { Coalescer, HashingTap } from './tap.js';

/** What one stream became on its way to a target: the plain bytes seen and the stored bytes written. */
export interface StoredStream {
  plain: { bytes: number; sha256: string; head: Buffer; tail: Buffer };
  stored: { bytes: number; sha256: string };
}

export interface StoreStreamOptions {
  /** The plain content. A child process's stdout pipe takes the fast path (it never enters Node whole). */
  stream: Readable;
  /** Sees every plain chunk (e.g. counting rows in a SQL dump). */
  inspect?: ((chunk: Buffer) => void) | undefined;
  /** Plain bytes so far. */
  onProgress?: ((bytes: number) => void) | undefined;
  writer: Writable;
  compression: Compression;
  encryption: EncryptionSettings;
  signal: AbortSignal;
}

const HEAD_BYTES = 16;
const TAIL_BYTES = 4096;

/**
 * plain → sha256 → compress → OpenPGP → sha256 → writer, streaming, with bounded memory. Rejects
 * if any stage failed (a helper process's exit status and stderr included); the caller checks
 * the plain content's completeness with what it returns and commits or aborts the writer.
 *
 * When the content comes from a child process and the zstd tool is there, the plain bytes go
 * from the dump tool through `tee` into zstd by kernel pipes; Node reads tee's copy once (to
 * hash and inspect it) and zstd's output once (to encrypt it). The plain dump, several times the
 * stored size, is never written back out by the JavaScript thread, and the dump, zstd and Node
 * each run on whichever core is free. Anything else (a stream made in Node) goes through zstd
 * as a stream stage.
 */
export async function storeStream(options: StoreStreamOptions): Promise<StoredStream> {
  const plain = new HashingTap({
    headBytes: HEAD_BYTES,
    tailBytes: TAIL_BYTES,
    ...(options.inspect ? { onChunk: options.inspect } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const stored = new HashingTap();
  const command = options.compression.compressorCommand;
  const tee = findOnPath('tee');
  if (command && tee && options.stream instanceof Socket) {
    await storeByPipes(options, { plain, stored, compressor: command, tee });
  } else {
    await pipeline(options.stream, plain, options.compression.createCompressor(), new Coalescer(), createEncryptor(options.encryption), stored, options.writer, {
      signal: options.signal,
    });
  }
  return {
    plain: { bytes: plain.bytes, sha256: plain.sha256(), head: plain.head, tail: plain.tail },
    stored: { bytes: stored.bytes, sha256: stored.sha256() },
  };
}

interface PipeParts {
  plain: HashingTap;
  stored: HashingTap;
  compressor: { binary: string; args: string[] };
  tee: string;
}

/**
 * dump stdout ─▶ tee ─▶ FIFO ─▶ zstd ─▶ Node: encrypt, hash, write
 *                  └─▶ Node: hash the plain bytes, inspect them
 * tee and zstd meet at a FIFO in a private temp folder because Node's own pipes are socket pairs,
 * which tee cannot open by name. Every process's exit status is checked; when one fails the
 * others are stopped, so nothing waits forever on a pipe nobody opens; the error reported is
 * the first failure that was not caused by another (a broken pipe, a stage we stopped).
 */
async function storeByPipes(options: StoreStreamOptions, parts: PipeParts): Promise<void> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'drc-pipe-'));
  const fifo = path.join(folder, 'plain');
  const stages: ChildStage[] = [];
  const stopAll = () => {
    for (const stage of stages) stage.kill();
    options.stream.destroy();
  };
  try {
    const made = spawnSync('mkfifo', ['-m', '600', fifo], { encoding: 'utf8', env: childEnv() });
    if (made.status !== 0) throw new Error(`cannot create a pipe in ${folder}: ${made.stderr || made.error?.message || 'mkfifo failed'}`);
    const zstd = startStage(parts.compressor.binary, [...parts.compressor.args, fifo], ['ignore', 'pipe', 'pipe']);
    stages.push(zstd);
    const tee = startStage(parts.tee, [fifo], [options.stream, 'pipe', 'pipe']);
    stages.push(tee);
    // Our copy of the dump's pipe is closed so that only tee reads it, and sees its end.
    options.stream.destroy();
    // Failures in the order they happened: the first one that is not a consequence is the cause.
    const failed: Array<{ stage: ChildStage; failure: Error }> = [];
    for (const stage of stages) {
      void stage.exited.then((failure) => {
        if (!failure) return;
        failed.push({ stage, failure });
        stopAll();
      });
    }
    const onAbort = () => stopAll();
    options.signal.addEventListener('abort', onAbort, { once: true });

    const watched = new Promise<void>((resolve, reject) => {
      const side = tee.child.stdout!;
      side.on('data', (chunk: Buffer) => parts.plain.observe(chunk));
      side.once('end', resolve);
      side.once('error', reject);
    });
    const written = pipeline(zstd.child.stdout!, new Coalescer(), createEncryptor(options.encryption), parts.stored, options.writer, { signal: options.signal });
    const [storedSide, plainSide] = await Promise.allSettled([written, watched]);
    if (storedSide.status === 'rejected') stopAll();
    await Promise.all([zstd.exited, tee.exited]);
    options.signal.removeEventListener('abort', onAbort);
    if (options.signal.aborted) throw Object.assign(new Error('stopped'), { code: 'ABORT_ERR' });
    if (storedSide.status === 'rejected') throw storedSide.reason;
    const cause = failed.find((entry) => !entry.stage.isConsequence()) ?? failed[0];
    if (cause) throw cause.failure;
    if (plainSide.status === 'rejected') throw plainSide.reason;
  } catch (error) {
    stopAll();
    throw error;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

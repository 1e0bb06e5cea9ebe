import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DrcError } from '../errors.js';
import { findOnPath, stderrTail } from '../sources/tools.js';
import { createDecryptor } from './decrypt.js';
import { openItemPlain, openStored, toReadError, type OpenItemOptions } from './item-reader.js';
import { childEnv } from '../trust/child-env.js';

/**
 * An item's plain content for a restore tool. `stream` is what the tool reads; `done` settles
 * once every check passed (it rejects naming the damaged copy or the decryption failure), so a
 * tool's success counts only together with `done`.
 */
export interface PlainInput {
  stream: Readable;
  done: Promise<void>;
  /** `stream` is a decompressor's stdout pipe: hand it to the tool as its stdin, never read it here. */
  isPipe: boolean;
}

/**
 * The fast way in for pg_restore, mariadb and tar: drc decrypts and hashes the stored bytes, and
 * the decompressor's output goes through a kernel pipe straight into the tool, so the plain
 * dump (several times the stored size) never passes through Node. The stored sha256 and the
 * OpenPGP integrity check prove the bytes are the ones written; zstd's and gzip's own content
 * checksums prove the decompression. Without the decompression tool it falls back to
 * openItemPlain, which also re-hashes the plain content.
 */
export async function openItemForTool(options: OpenItemOptions): Promise<PlainInput> {
  const tool = options.item.compression === 'zstd' ? findOnPath('zstd') : findOnPath('gzip');
  if (!tool) {
    return { stream: await openItemPlain(options), done: Promise.resolve(), isPipe: false };
  }
  const stored = await openStored(options);
  const child = spawn(tool, ['-d', '-q', '-c'], { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const fed = pipeline(stored.stream, stored.tap, createDecryptor(options.keys, stored.where), child.stdin, ...(options.signal ? [{ signal: options.signal }] : []));
  const done = (async () => {
    try {
      await fed;
    } catch (error) {
      child.kill();
      const cause = toReadError(error, stored.where);
      // A decompressor that stopped reading (the tool quit) shows up as EPIPE here: not the copy's fault.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') throw new Error(`decompression stopped early: ${cause.message}`);
      throw cause;
    }
    const damaged = stored.storedProblem();
    const code = await exited;
    if (damaged) throw damaged;
    if (code !== 0) throw new Error(`${stored.where}: ${tool.split('/').pop()} -d failed (exit ${String(code)}): ${stderrTail(stderr)}`);
  })();
  done.catch(() => {}); // observed by the consumer; never an unhandled rejection
  return { stream: child.stdout, done, isPipe: true };
}

/** Any stream as a tool's input (already checked, or checked by its own errors). */
export function streamInput(stream: Readable): PlainInput {
  return { stream, done: Promise.resolve(), isPipe: false };
}

/** For consumers that read the plain bytes themselves: waits for the checks as well. */
export async function settle(input: PlainInput, reading: Promise<unknown>): Promise<void> {
  const [read, checked] = await Promise.allSettled([reading, input.done]);
  if (checked.status === 'rejected' && checked.reason instanceof DrcError) throw checked.reason;
  if (read.status === 'rejected') throw read.reason;
  if (checked.status === 'rejected') throw checked.reason;
}

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DrcError, errorMessage } from '../errors.js';
import { decompressionFor } from '../pipeline/compress.js';
import { HashingTap, hashStream } from '../pipeline/tap.js';
import type { ManifestItem } from '../sets/manifest.js';
import type { Target } from '../storage/types.js';
import { createDecryptor, type DecryptionKeys } from './decrypt.js';

/** A stored copy whose bytes are not what the manifest and SHA256SUMS say: another copy may be good. */
export class DamagedCopyError extends DrcError {
  constructor(
    readonly target: string,
    message: string,
  ) {
    super(message, { hint: `the copy on target ${target} is damaged; run "drc verify" to check every copy` });
  }
}

/** What reading a stored file checks it against: a set's manifest item or an archive index entry. */
export type StoredFileFacts = Pick<ManifestItem, 'file' | 'storedBytes' | 'sha256' | 'plain' | 'compression'>;

export interface OpenItemOptions {
  target: Target;
  setId: string;
  item: StoredFileFacts;
  /** Reads a file outside the set folders (the archive); default target.openRead(setId, item.file). */
  open?: { read(): Promise<{ stream: Readable; bytes: number }>; where: string };
  keys: DecryptionKeys;
  /** The sha256 SHA256SUMS lists on this copy, when it lists the file. */
  listedSha256?: string | undefined;
  /** Stored (encrypted) bytes read so far; the total is item.storedBytes. */
  onProgress?: (storedBytes: number) => void;
  signal?: AbortSignal;
}

/**
 * The stored file, proven to be exactly the bytes the (authenticated) manifest names before a
 * single byte is decrypted: it is copied to a private spool file while hashed, the sha256 and
 * size compared with the manifest, and only the spool is then read. So a forged or swapped
 * item never reaches a decompressor, pg_restore, mariadb or tar, and an attacker cannot change
 * the file between the check and the read. The spool holds encrypted bytes only (0600, in a
 * 0700 folder under $TMPDIR) and is removed once read.
 */
export async function openStored(options: OpenItemOptions): Promise<{ stream: Readable; tap: HashingTap; where: string; storedProblem(): DamagedCopyError | undefined }> {
  const { target, setId, item } = options;
  const where = options.open?.where ?? `${target.name}:${target.describeFile(setId, item.file)}`;
  if (options.listedSha256 && options.listedSha256 !== item.sha256) {
    throw new DamagedCopyError(target.name, `${where}: SHA256SUMS lists ${options.listedSha256.slice(0, 12)}… but manifest.json says ${item.sha256.slice(0, 12)}…`);
  }
  let opened: { stream: Readable; bytes: number };
  try {
    opened = await (options.open ? options.open.read() : target.openRead(setId, item.file));
  } catch (error) {
    throw new DamagedCopyError(target.name, `${where}: cannot read it (${errorMessage(error)})`);
  }
  if (opened.bytes !== item.storedBytes) {
    opened.stream.destroy();
    throw new DamagedCopyError(target.name, `${where}: ${opened.bytes} bytes stored, the manifest says ${item.storedBytes}: the copy is damaged`);
  }
  const spool = await spoolStored(opened.stream, where, options);
  const damaged = (sha: string, bytes: number) =>
    sha === item.sha256 && bytes === item.storedBytes
      ? undefined
      : new DamagedCopyError(target.name, `${where}: sha256 of the stored file is ${sha.slice(0, 12)}…, expected ${item.sha256.slice(0, 12)}…: this copy is damaged`);
  const spooled = damaged(spool.sha256, spool.bytes);
  if (spooled) {
    await spool.remove();
    throw spooled;
  }
  const stream = createReadStream(spool.file, { highWaterMark: 1 << 20 });
  // Removed as soon as it is open: the open descriptor keeps the bytes readable, nothing else can.
  await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
  await spool.remove();
  const tap = new HashingTap();
  return { stream, tap, where, storedProblem: () => damaged(tap.sha256(), tap.bytes) };
}

async function spoolStored(stream: Readable, where: string, options: OpenItemOptions): Promise<{ file: string; sha256: string; bytes: number; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drc-spool-'));
  const file = path.join(dir, 'item');
  const remove = () => rm(dir, { recursive: true, force: true });
  const tap = new HashingTap(options.onProgress ? { onProgress: options.onProgress } : {});
  try {
    await pipeline(stream, tap, createWriteStream(file, { mode: 0o600, flags: 'wx' }), ...(options.signal ? [{ signal: options.signal }] : []));
  } catch (error) {
    await remove();
    if ((error as { code?: string }).code === 'ABORT_ERR') throw error;
    throw new DamagedCopyError(options.target.name, `${where}: cannot read it (${errorMessage(error)})`);
  }
  return { file, sha256: tap.sha256(), bytes: tap.bytes, remove };
}

/**
 * An item's plain content (decrypted, decompressed) as a stream. The stored sha256 (against the
 * manifest and SHA256SUMS) and the plain sha256 and size are checked as the bytes pass; the
 * stream ends only once every check passed, and errors naming the damaged copy otherwise. So
 * a consumer that saw the end has seen exactly what was backed up, and a consumer that saw an
 * error must throw away what it built.
 */
export async function openItemPlain(options: OpenItemOptions): Promise<Readable> {
  const { item } = options;
  const stored = await openStored(options);
  const { where } = stored;
  const plain = createHash('sha256');
  let plainBytes = 0;
  const verifier = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      plain.update(chunk);
      plainBytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const damaged = stored.storedProblem();
      if (damaged) {
        callback(damaged);
        return;
      }
      const plainSha = plain.digest('hex');
      if (plainSha !== item.plain.sha256 || plainBytes !== item.plain.bytes) {
        callback(new DrcError(`${where}: decrypted content is ${plainBytes} bytes with sha256 ${plainSha.slice(0, 12)}…, the manifest says ${item.plain.bytes} bytes, ${item.plain.sha256.slice(0, 12)}…`));
        return;
      }
      callback();
    },
  });
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  const decompressor = decompressionFor(item.compression).createDecompressor();
  pipeline(stored.stream, stored.tap, createDecryptor(options.keys, where), decompressor, verifier, output, ...(options.signal ? [{ signal: options.signal }] : [])).catch(
    (error: unknown) => {
      if (!output.destroyed) output.destroy(toReadError(error, where));
    },
  );
  return output;
}

export function toReadError(error: unknown, where: string): Error {
  if (error instanceof DrcError) return error;
  if ((error as { code?: string }).code === 'ABORT_ERR') return new DrcError(`${where}: reading interrupted`);
  return new DrcError(`${where}: cannot decompress (${errorMessage(error)}): the file is damaged or not what the manifest says`);
}

/** Hashes a stored copy in full: tells a damaged file from a failure elsewhere. */
export async function hashStoredCopy(target: Target, setId: string, file: string, onProgress?: (bytes: number) => void): Promise<{ sha256: string; bytes: number }> {
  const opened = await target.openRead(setId, file);
  return hashStream(opened.stream, onProgress);
}

/**
 * Fails fast with "wrong passphrase or key" before anything is created or asked: decrypts just
 * the session key and the first block of the item, then stops.
 */
export async function checkCanDecrypt(target: Target, setId: string, item: ManifestItem, keys: DecryptionKeys): Promise<void> {
  const opened = await target.openRead(setId, item.file);
  const decryptor = createDecryptor(keys, `${target.name}:${target.describeFile(setId, item.file)}`);
  opened.stream.on('error', (error) => decryptor.destroy(error));
  opened.stream.pipe(decryptor);
  try {
    await new Promise<void>((resolve, reject) => {
      decryptor.once('data', () => resolve());
      decryptor.once('end', () => resolve());
      decryptor.once('error', reject);
    });
  } finally {
    opened.stream.unpipe(decryptor);
    opened.stream.destroy();
    decryptor.destroy();
  }
}

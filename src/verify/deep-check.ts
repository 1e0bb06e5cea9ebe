import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { Config } from '../config/schema.js';
import { DrcError, errorMessage } from '../errors.js';
import { throttledProgress, type Emit } from '../events.js';
import type { DecryptionKeys } from '../restore/decrypt.js';
import { createEngine, isDatabaseSource } from '../restore/engines.js';
import { withGoodCopy } from '../restore/good-copy.js';
import { derivedDatabaseName } from '../restore/names.js';
import type { ResolvedSet } from '../restore/resolve-set.js';
import { dropScratch, loadAndCheck } from '../restore/scratch.js';
import { openRestoreJournal } from '../restore/restore-journal.js';
import type { ManifestItem } from '../sets/manifest.js';
import { stderrTail } from '../sources/tools.js';
import { childEnvOptions } from '../trust/child-env.js';

export interface DeepResult {
  /** The target whose copy was used. */
  target: string | undefined;
  problems: string[];
  detail?: string;
}

/**
 * Decrypts and decompresses one item (plain sha256 and size checked against the manifest), and
 * goes further by type: a database item is restored into a scratch database whose row counts
 * must match (then dropped); a files item is listed with tar -t.
 */
export async function deepCheckItem(
  config: Config,
  stateDir: string,
  resolved: ResolvedSet,
  item: ManifestItem,
  keys: DecryptionKeys,
  emit: Emit,
  now: Date,
  signal?: AbortSignal,
): Promise<DeepResult> {
  const source = config.sources.find((entry) => entry.name === item.source && entry.type === item.type);
  try {
    // A base backup is checked like a files archive (tar -t); recovering it is what drc drill --at does.
    if (source && isDatabaseSource(source) && !item.baseBackup) {
      const engine = await createEngine(source);
      const scratch = derivedDatabaseName(item.database ?? engine.database, 'verify', now);
      const journal = await openRestoreJournal(stateDir, { kind: 'verify', engine: engine.kind, source: item.source, live: engine.database, scratch });
      try {
        const loaded = await loadAndCheck({ engine, resolved, item, keys, emit, database: scratch, smokeChecks: source.checks, checkPlain: true, task: item.source, phase: 'verify --deep', signal, journal });
        return { target: loaded.copy.target.name, problems: loaded.problems.map((problem) => `${item.source}: ${problem}`), detail: `${loaded.tablesChecked} table(s) restored and counted` };
      } finally {
        await dropScratch(engine, scratch, journal);
      }
    }
    const started = Date.now();
    emit({ type: 'task-started', task: item.source, phase: 'verify --deep', detail: `${item.file}: decrypt, decompress${isTar(item) ? ', tar -t' : ''}`, totalBytes: item.storedBytes });
    const progress = throttledProgress(emit, item.source, 'verify --deep', 250, item.storedBytes);
    const { result, copy } = await withGoodCopy({
      resolved,
      item,
      keys,
      emit,
      onProgress: (bytes) => progress(bytes),
      ...(signal ? { signal } : {}),
      attempt: (input) => (isTar(item) ? listArchive(input.stream) : drain(input.stream)),
    });
    const detail = isTar(item) ? `${result} archive entries listed` : `${item.plain.bytes} plain bytes, sha256 OK`;
    emit({ type: 'task-finished', task: item.source, phase: 'verify --deep', ok: true, bytes: item.storedBytes, elapsedMs: Date.now() - started, detail });
    return { target: copy.target.name, problems: [], detail };
  } catch (error) {
    return { target: undefined, problems: [`${item.source}: ${errorMessage(error)}`] };
  }
}

function isTar(item: ManifestItem): boolean {
  return item.type === 'files' || item.baseBackup !== undefined;
}

async function drain(plain: Readable): Promise<number> {
  let bytes = 0;
  await pipeline(plain, new Writable({ write: (chunk: Buffer, _encoding, callback) => ((bytes += chunk.length), callback()) }));
  return bytes;
}

/**
 * tar -t over the stream: proves the archive reads to its end; returns the number of entries.
 * tar stops reading at the end-of-archive blocks, often before the last record's padding (and
 * the zstd frame end) has been fed: what is left is still read here, so the plain sha256 is
 * checked on every byte, and tar's early exit is not an error.
 */
export async function listArchive(plain: Readable): Promise<number> {
  const child = execa('tar', ['--list', '--file=-'], { ...childEnvOptions(), stdin: 'pipe', buffer: { stdout: false, stderr: true }, reject: false, encoding: 'utf8' });
  let entries = 0;
  child.stdout!.on('data', (chunk: Buffer) => (entries += chunk.toString('utf8').split('\n').length - 1));
  const fed = pipeline(plain, feedWhileOpen(child.stdin!)).then(
    () => undefined,
    (error: unknown) => error,
  );
  const result = await child;
  const feedError = await fed;
  if (feedError instanceof DrcError) throw feedError;
  if (result.exitCode !== 0) throw new DrcError(`tar --list failed: ${stderrTail(result.stderr)}`);
  if (feedError) throw feedError;
  return entries;
}

/** Writes into a tool's stdin until the tool closes it, then reads the rest into nothing. */
function feedWhileOpen(stdin: NodeJS.WritableStream & { destroyed: boolean }): Writable {
  let closed = false;
  stdin.on('error', () => (closed = true)); // EPIPE: the tool has read all it wanted
  stdin.on('close', () => (closed = true));
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (closed || stdin.destroyed) return callback();
      if (stdin.write(chunk)) return callback();
      const go = () => {
        stdin.off('drain', go);
        stdin.off('close', go);
        callback();
      };
      stdin.on('drain', go);
      stdin.on('close', go);
    },
    final(callback) {
      if (!closed) stdin.end();
      callback();
    },
  });
}

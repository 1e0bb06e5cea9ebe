import { DrcError, errorMessage } from '../errors.js';
import { throttledProgress, type Emit } from '../events.js';
import type { ManifestItem } from '../sets/manifest.js';
import type { BackupSource } from '../sources/types.js';
import type { Target } from '../storage/types.js';
import type { Compression } from './compress.js';
import type { EncryptionSettings } from './encryption.js';
import { storeStream } from './store-stream.js';

export interface BackupItemOptions {
  source: BackupSource;
  setId: string;
  target: Target;
  compression: Compression;
  encryption: EncryptionSettings;
  emit: Emit;
  signal: AbortSignal;
}

export function itemFileName(source: BackupSource, compression: Compression): string {
  return `${source.name}.${source.extension}${compression.suffix}.gpg`;
}

/**
 * dump → hash plain → compress → encrypt → hash stored → target, all streaming (storeStream).
 * The item is committed (renamed into place) only after every stage succeeded, the dump tool
 * exited 0 and its output passed the source's completeness checks; otherwise nothing is left
 * behind.
 */
export async function backupItem(options: BackupItemOptions): Promise<ManifestItem> {
  const { source, target, compression, encryption, emit, signal } = options;
  const file = itemFileName(source, compression);
  const startedAt = new Date();
  emit({ type: 'task-started', task: source.name, phase: 'backup', detail: `(${source.type}) → ${target.name}:${file}` });
  const progress = throttledProgress(emit, source.name, 'backup');
  const writer = await target.createItemWriter(options.setId, file);
  let dump: Awaited<ReturnType<BackupSource['open']>> | undefined;
  try {
    dump = await source.open(signal);
    const inspect = dump.inspect?.bind(dump);
    const { plain, stored } = await storeStream({ stream: dump.stream, inspect, onProgress: progress, writer: writer.stream, compression, encryption, signal });
    const metadata = await dump.finish({ bytes: plain.bytes, head: plain.head, tail: plain.tail });
    await writer.commit();
    const finishedAt = new Date();
    progress(plain.bytes, true);
    emit({
      type: 'task-finished',
      task: source.name,
      phase: 'backup',
      ok: true,
      bytes: stored.bytes,
      elapsedMs: finishedAt.getTime() - startedAt.getTime(),
      detail: describeItem(plain.bytes, metadata.tables?.length),
    });
    return {
      source: source.name,
      type: source.type,
      file,
      storedBytes: stored.bytes,
      sha256: stored.sha256,
      plain: { bytes: plain.bytes, sha256: plain.sha256 },
      compression: compression.kind,
      encryption: 'openpgp',
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      ...metadata,
    };
  } catch (error) {
    dump?.abort();
    await writer.abort();
    const failure = toItemError(error, source, target, target.describeFile(options.setId, file));
    emit({ type: 'task-finished', task: source.name, phase: 'backup', ok: false, elapsedMs: Date.now() - startedAt.getTime(), detail: failure.message });
    throw failure;
  }
}

function describeItem(plainBytes: number, tables: number | undefined): string {
  const mb = (plainBytes / 1048576).toFixed(1);
  return tables === undefined ? `${mb} MiB plain` : `${mb} MiB plain, ${tables} tables`;
}

/** Names the target and the fix for storage errors; keeps the source's own message otherwise. */
function toItemError(error: unknown, source: BackupSource, target: Target, where: string): DrcError {
  if (error instanceof DrcError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new DrcError(`target ${target.name}: disk full while writing ${where}`, {
      hint: 'free space on the target (or run "drc prune"); the incomplete file was removed',
      cause: error,
    });
  }
  if (code === 'ABORT_ERR') return new DrcError(`source ${source.name}: backup interrupted`, { cause: error });
  // Tool failures carry their stderr after blank lines; one line reads better in logs and mail.
  const message = errorMessage(error).trim().replace(/\s*\n+\s*/g, ': ');
  return new DrcError(`source ${source.name}: backup failed (${message})`, { cause: error });
}

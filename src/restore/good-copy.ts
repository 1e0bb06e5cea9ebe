import { DrcError, errorMessage } from '../errors.js';
import type { Emit } from '../events.js';
import type { ManifestItem } from '../sets/manifest.js';
import type { DecryptionKeys } from './decrypt.js';
import { DamagedCopyError, hashStoredCopy, openItemPlain, type OpenItemOptions } from './item-reader.js';
import { readListedSha256, type ResolvedSet, type SetCopy } from './resolve-set.js';
import { openItemForTool, streamInput, type PlainInput } from './tool-input.js';

export interface CopyAttemptOptions<T> {
  resolved: ResolvedSet;
  item: ManifestItem;
  keys: DecryptionKeys;
  emit: Emit;
  /**
   * Consumes the plain content; must fail if the stream errors or `done` rejects. With
   * `forTool` the input may be a decompressor pipe for feedTool (fast, see openItemForTool);
   * otherwise it is a stream whose plain sha256 is checked too (openItemPlain).
   */
  attempt: (input: PlainInput, copy: SetCopy) => Promise<T>;
  forTool?: boolean;
  /** Undoes a failed attempt's partial work before the next copy is tried. */
  undo?: () => Promise<void>;
  onProgress?: (storedBytes: number) => void;
  signal?: AbortSignal;
}

/**
 * Runs `attempt` on the first copy of the item, falling back to the next target's copy when
 * this one turns out damaged. A failure is blamed on the copy only when its stored bytes do not
 * match the manifest (hashed again to be sure); any other failure (wrong key, a database
 * error) is the same for every copy and is thrown at once.
 */
export async function withGoodCopy<T>(options: CopyAttemptOptions<T>): Promise<{ result: T; copy: SetCopy }> {
  const { resolved, item, emit } = options;
  const damaged: string[] = [];
  for (const [index, copy] of resolved.copies.entries()) {
    try {
      const listedSha256 = await readListedSha256(copy, resolved.id, item.file);
      const open: OpenItemOptions = {
        target: copy.target,
        setId: resolved.id,
        item,
        keys: options.keys,
        listedSha256,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      };
      const input = options.forTool ? await openItemForTool(open) : streamInput(await openItemPlain(open));
      return { result: await options.attempt(input, copy), copy };
    } catch (error) {
      // Stopped (SIGTERM, Ctrl-C): re-hashing the whole copy to place the blame would keep the
      // caller from cleaning up before the process is killed for good.
      if (options.signal?.aborted) throw new DrcError(`${item.file}: ${errorMessage(options.signal.reason)} while it was being read`);
      const reason = await blameCopy(error, copy, resolved.id, item);
      if (!reason) throw error;
      damaged.push(`${copy.target.name}: ${reason}`);
      await options.undo?.();
      const next = resolved.copies[index + 1];
      emit({
        type: 'log',
        level: 'warn',
        message: `${item.file} on target ${copy.target.name} is damaged (${reason})${next ? `; using the copy on ${next.target.name} instead` : ''}`,
      });
    }
  }
  throw new DrcError(`every copy of ${item.file} in set ${resolved.id} is damaged: ${damaged.join('; ')}`, {
    hint: 'restore from another set ("drc backups" lists them); nothing live was changed',
  });
}

async function blameCopy(error: unknown, copy: SetCopy, setId: string, item: ManifestItem): Promise<string | undefined> {
  if (error instanceof DamagedCopyError) return shorten(error.message);
  try {
    const stored = await hashStoredCopy(copy.target, setId, item.file);
    if (stored.sha256 !== item.sha256) return `sha256 ${stored.sha256.slice(0, 12)}… instead of ${item.sha256.slice(0, 12)}…`;
    return undefined;
  } catch (hashError) {
    return `cannot read it (${errorMessage(hashError)})`;
  }
}

function shorten(message: string): string {
  const colon = message.indexOf(': ');
  return colon > 0 ? message.slice(colon + 2) : message;
}

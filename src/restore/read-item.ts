import type { Config } from '../config/schema.js';
import { ignoreEvents, type Emit } from '../events.js';
import { loadSetTrust } from '../sets/sealed-manifest.js';
import type { ManifestItem } from '../sets/manifest.js';
import { openTargets } from '../storage/open-targets.js';
import { loadDecryptionKeys, type DecryptionKeys } from './decrypt.js';
import { withGoodCopy } from './good-copy.js';
import { findItem, resolveSet, type ResolvedSet } from './resolve-set.js';

export interface ItemContent {
  setId: string;
  /** When the set was taken (ISO). */
  setTime: string;
  data: Buffer;
}

/**
 * A small item's whole plain content (Cal.com/Retell JSON snapshots), checksummed like any
 * restore and read from the next target when a copy is damaged. Not for database dumps: it
 * holds the content in memory.
 */
export async function readItemPlain(
  config: Config,
  stateDir: string,
  setRef: string,
  sourceName: string,
  options: { emit?: Emit; keyFile?: string; target?: string } = {},
): Promise<ItemContent> {
  const emit = options.emit ?? ignoreEvents;
  const targets = await openTargets(config, options.target ? [options.target] : undefined);
  const trust = await loadSetTrust(config, stateDir);
  const resolved = await resolveSet(targets, setRef, { trust, source: sourceName, emit });
  const item = findItem(resolved, sourceName);
  const keys = await loadDecryptionKeys(config.encryption, resolved.manifest, options.keyFile);
  return { setId: resolved.id, setTime: resolved.time.toISOString(), data: await readResolvedItemPlain(resolved, item, keys, emit) };
}

/** The same for a set already resolved and keys already loaded (init --from has no config yet). */
export async function readResolvedItemPlain(resolved: ResolvedSet, item: ManifestItem, keys: DecryptionKeys, emit: Emit = ignoreEvents): Promise<Buffer> {
  const { result } = await withGoodCopy({
    resolved,
    item,
    keys,
    emit,
    attempt: async (input) => {
      const chunks: Buffer[] = [];
      for await (const chunk of input.stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  });
  return result;
}

import type { Config } from '../config/schema.js';
import { DrcError } from '../errors.js';
import { readItemPlain } from '../restore/read-item.js';
import { parseSnapshot, type ServiceSnapshot } from './service.js';

export interface SnapshotSetContext {
  config: Config;
  stateDir: string;
}

/**
 * Reads a source's snapshot item out of a backup set (decrypt, decompress, parse). This is the
 * one seam between sync and restore: src/restore's readItemPlain checks the checksums and
 * falls back to the next target's copy when one is damaged.
 */
export async function loadSnapshotFromSet(context: SnapshotSetContext, setRef: string, sourceName: string): Promise<ServiceSnapshot> {
  const source = context.config.sources.find((entry) => entry.name === sourceName);
  if (!source || (source.type !== 'calcom' && source.type !== 'retell')) {
    throw new DrcError(`push from backup set ${setRef}: "${sourceName}" is not a configured calcom or retell source`);
  }
  const content = await readItemPlain(context.config, context.stateDir, setRef, sourceName);
  return parseSnapshot(source.type, content.data.toString('utf8'), `set ${content.setId}: ${sourceName}`);
}

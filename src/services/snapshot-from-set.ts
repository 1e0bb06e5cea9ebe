import type { Config } from '../config/schema.js';
import { DrcError } from '../errors.js';
import type { ServiceSnapshot } from './service.js';

export interface SnapshotSetContext {
  config: Config;
  stateDir: string;
}

/**
 * Reads a source's snapshot item out of a backup set (decrypt, decompress, parse). This is the
 * one seam between sync and restore: it waits for src/restore's readItemPlain, and until
 * then says so instead of guessing at the set's layout.
 */
export async function loadSnapshotFromSet(_context: SnapshotSetContext, setRef: string, sourceName: string): Promise<ServiceSnapshot> {
  throw new DrcError(`push from backup set ${setRef}: reading ${sourceName}'s snapshot from a set is not available yet`, {
    hint: `push from the mirror instead: "drc sync push ${sourceName} --from mirror"`,
  });
}

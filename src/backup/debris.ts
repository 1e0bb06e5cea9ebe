import type { Emit } from '../events.js';
import { isSetId, parseSetId } from '../sets/set-id.js';
import type { Target } from '../storage/types.js';

/** Another host's unfinished set may still be in progress; only this old is it debris. */
const FOREIGN_DEBRIS_AGE_MS = 24 * 3_600_000;

/**
 * Removes set folders without a manifest: what a killed or failed run left. This host's are
 * removed at once (the caller holds the backup lock, so none is in progress); another host's
 * only after a day. Folders that are not set ids are never touched.
 */
export async function removeDebris(target: Target, host: string, emit: Emit, now = new Date()): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await target.listSets()) {
    if (entry.hasManifest || !isSetId(entry.id)) continue;
    const owner = parseSetId(entry.id)!.host;
    const old = now.getTime() - entry.modifiedAt.getTime() > FOREIGN_DEBRIS_AGE_MS;
    if (owner !== host && !old) continue;
    await target.removeSet(entry.id);
    removed.push(entry.id);
    emit({ type: 'log', level: 'info', message: `${target.name}: removed incomplete set ${entry.id} left by an interrupted run` });
  }
  return removed;
}

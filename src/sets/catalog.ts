import { errorMessage } from '../errors.js';
import type { Target } from '../storage/types.js';
import { MANIFEST_FILE, parseManifest, type Manifest } from './manifest.js';
import { compareSetIdsDescending, isSetId, parseSetId } from './set-id.js';

/** A set as found on one target. */
export interface CatalogEntry {
  id: string;
  target: string;
  time: Date;
  host: string;
  /** complete/partial from the manifest; "unreadable" when the manifest does not parse. */
  status: Manifest['status'] | 'unreadable';
  manifest: Manifest | undefined;
  problem?: string;
}

/**
 * Every set on a target that has a manifest, newest first. Folders without a manifest are
 * in-progress writes or debris from a killed run and are never listed.
 */
export async function loadCatalog(target: Target): Promise<CatalogEntry[]> {
  const entries = (await target.listSets()).filter((entry) => entry.hasManifest && isSetId(entry.id));
  entries.sort((a, b) => compareSetIdsDescending(a.id, b.id));
  const catalog: CatalogEntry[] = [];
  for (const entry of entries) {
    const { time, host } = parseSetId(entry.id)!;
    try {
      const text = await target.readFile(entry.id, MANIFEST_FILE);
      if (!text) continue; // deleted between listing and reading
      const manifest = parseManifest(text.toString('utf8'), `${target.name}:${entry.id}`);
      catalog.push({ id: entry.id, target: target.name, time, host, status: manifest.status, manifest });
    } catch (error) {
      catalog.push({ id: entry.id, target: target.name, time, host, status: 'unreadable', manifest: undefined, problem: errorMessage(error) });
    }
  }
  return catalog;
}

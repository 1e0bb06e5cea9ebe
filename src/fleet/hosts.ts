import { errorMessage } from '../errors.js';
import { MANIFEST_FILE, parseManifest, type Manifest } from '../sets/manifest.js';
import { compareSetIdsDescending, isSetId, parseSetId } from '../sets/set-id.js';
import type { Target } from '../storage/types.js';

/** Set ids per host on one target, newest first, from one delimiter listing (no manifest read). */
export async function listHostSets(target: Target): Promise<Map<string, string[]>> {
  const hosts = new Map<string, string[]>();
  for (const folder of await target.listFolders()) {
    if (!isSetId(folder)) continue;
    const { host } = parseSetId(folder)!;
    (hosts.get(host) ?? hosts.set(host, []).get(host)!).push(folder);
  }
  for (const ids of hosts.values()) ids.sort(compareSetIdsDescending);
  return hosts;
}

export interface NewestSet {
  id: string;
  manifest?: Manifest;
  /** Why the manifest could not be used (unreadable, not authenticated). */
  problem?: string;
  /** Newer folders without a manifest: a backup in progress, or debris of a killed one. */
  incompleteNewer: string[];
}

/**
 * The newest set of a host that has a manifest, reading manifests newest first and stopping at
 * the first one found: one small read per host however many sets it has. With `accept`, a set
 * whose manifest does not pass (not complete, not authenticated) is skipped as well.
 */
export async function findNewestSet(
  target: Target,
  ids: string[],
  accept?: (manifest: Manifest, id: string, bytes: Buffer) => Promise<string | undefined>,
): Promise<NewestSet | undefined> {
  const incompleteNewer: string[] = [];
  let firstProblem: NewestSet | undefined;
  for (const id of ids) {
    const text = await target.readFile(id, MANIFEST_FILE);
    if (!text) {
      incompleteNewer.push(id);
      continue;
    }
    let manifest: Manifest;
    try {
      manifest = parseManifest(text.toString('utf8'), `${target.name}:${id}`);
    } catch (error) {
      if (!accept) return { id, problem: errorMessage(error), incompleteNewer };
      firstProblem ??= { id, problem: errorMessage(error), incompleteNewer: [...incompleteNewer] };
      continue;
    }
    const refused = accept ? await accept(manifest, id, text) : undefined;
    if (!refused) return { id, manifest, incompleteNewer };
    firstProblem ??= { id, problem: refused, incompleteNewer: [...incompleteNewer] };
  }
  return firstProblem;
}

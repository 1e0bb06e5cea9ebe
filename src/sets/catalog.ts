import { errorMessage } from '../errors.js';
import type { Target } from '../storage/types.js';
import { checkConfinedName } from '../trust/confine.js';
import type { Manifest } from './manifest.js';
import { readFirstSealedSet, readSealedManifest, recordSealedSet, type ReadManifest, type SetTrust } from './sealed-manifest.js';
import { compareSetIdsDescending, isSetId, parseSetId } from './set-id.js';

/** A set as found on one target. */
export interface CatalogEntry {
  id: string;
  target: string;
  time: Date;
  host: string;
  /** complete/partial from the manifest; "unreadable" when the manifest does not parse or is not authentic. */
  status: Manifest['status'] | 'unreadable';
  /** Set only for a manifest drc may read: sealed, or legacy (see `legacy`). */
  manifest: Manifest | undefined;
  /**
   * No seal, but older than the first sealed set: written before drc sealed sets. Listed, never
   * pruned, acted on only with --allow-unsigned.
   */
  legacy?: boolean;
  /** The manifest's seal is wrong or was removed, or the manifest breaks its schema: never acted on. */
  refused?: boolean;
  problem?: string;
}

/**
 * Every set on a target that has a manifest, newest first, each manifest checked against its
 * seal before it is parsed. Folders without a manifest are in-progress writes or debris from a
 * killed run and are never listed; folders whose names are not set ids are ignored.
 */
export async function loadCatalog(target: Target, trust: SetTrust): Promise<CatalogEntry[]> {
  const entries = (await target.listSets()).filter((entry) => entry.hasManifest && isSetId(entry.id) && !checkConfinedName(entry.id));
  entries.sort((a, b) => compareSetIdsDescending(a.id, b.id));
  const read: Array<{ id: string; result: ReadManifest | Error }> = [];
  for (const entry of entries) {
    try {
      const result = await readSealedManifest(target, entry.id, trust);
      if (result) read.push({ id: entry.id, result }); // else: deleted between listing and reading
    } catch (error) {
      read.push({ id: entry.id, result: error as Error });
    }
  }
  const sealed = read.filter((entry) => !(entry.result instanceof Error) && entry.result.kind === 'sealed').map((entry) => entry.id);
  const oldestSealedHere = sealed.at(-1);
  if (oldestSealedHere) await recordSealedSet(trust.stateDir, oldestSealedHere).catch(() => {});
  const firstSealed = await readFirstSealedSet(trust.stateDir);
  const cutoff = [firstSealed, oldestSealedHere].filter((id): id is string => Boolean(id)).sort()[0];

  return read.map(({ id, result }) => {
    const { time, host } = parseSetId(id)!;
    const base = { id, target: target.name, time, host };
    if (result instanceof Error) return { ...base, status: 'unreadable', manifest: undefined, problem: errorMessage(result) };
    if (result.kind === 'refused') return { ...base, status: 'unreadable', manifest: undefined, refused: true, problem: result.reason };
    if (result.kind === 'sealed') return { ...base, status: result.manifest.status, manifest: result.manifest };
    if (cutoff && id >= cutoff) {
      return {
        ...base,
        status: 'unreadable',
        manifest: undefined,
        refused: true,
        problem: `manifest.json is not authentic: ${result.reason}, yet the set is newer than the first sealed set (${cutoff}): its seal was removed or the set is forged`,
      };
    }
    return {
      ...base,
      status: result.manifest.status,
      manifest: result.manifest,
      legacy: true,
      problem: `manifest.json is UNSIGNED: ${result.reason} (written before drc sealed sets, or forged)`,
    };
  });
}

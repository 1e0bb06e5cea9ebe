import { DrcError, errorMessage } from '../errors.js';
import type { Emit } from '../events.js';
import { loadCatalog, type CatalogEntry } from '../sets/catalog.js';
import type { Manifest, ManifestItem } from '../sets/manifest.js';
import type { SetTrust } from '../sets/sealed-manifest.js';
import { SUMS_FILE } from '../sets/manifest.js';
import { parseSetId } from '../sets/set-id.js';
import { parseSums } from '../sets/sums.js';
import type { Target } from '../storage/types.js';

/** One target's copy of a set. */
export interface SetCopy {
  target: Target;
  manifest: Manifest;
}

/** A set as found across targets: its copies in config order (local targets first). */
export interface ResolvedSet {
  id: string;
  time: Date;
  manifest: Manifest;
  copies: SetCopy[];
}

export interface CatalogView {
  entries: CatalogEntry[];
  targets: Target[];
  unreachable: Array<{ target: string; error: string }>;
}

/** Every target's catalog; an unreachable target is reported and skipped, not fatal. */
export async function loadAllCatalogs(targets: Target[], trust: SetTrust, emit?: Emit): Promise<CatalogView> {
  const view: CatalogView = { entries: [], targets, unreachable: [] };
  for (const target of targets) {
    try {
      view.entries.push(...(await loadCatalog(target, trust)));
    } catch (error) {
      view.unreachable.push({ target: target.name, error: errorMessage(error) });
      emit?.({ type: 'log', level: 'warn', message: `target ${target.name}: cannot list sets (${errorMessage(error)}); skipping it` });
    }
  }
  return view;
}

/**
 * `latest` is the newest set that is complete, or partial but holding `source`; otherwise the
 * exact set id, looked up on every target. Only authentic copies are used: a copy whose
 * manifest is forged, stripped of its seal or unreadable is skipped with an error naming it,
 * and a legacy (unsigned) set only with --allow-unsigned, loudly.
 */
export async function resolveSet(targets: Target[], ref: string, options: { trust: SetTrust; source?: string; emit?: Emit }): Promise<ResolvedSet> {
  const view = await loadAllCatalogs(targets, options.trust, options.emit);
  for (const entry of view.entries) {
    if (entry.refused && (ref === 'latest' || entry.id === ref)) {
      options.emit?.({ type: 'log', level: 'error', message: `${entry.target}:${entry.id}: ${entry.problem}; refusing to use this copy` });
    }
  }
  const usable = view.entries.filter((entry) => entry.manifest && (!entry.legacy || options.trust.allowUnsealed));
  const byId = new Map<string, CatalogEntry[]>();
  for (const entry of usable) byId.set(entry.id, [...(byId.get(entry.id) ?? []), entry]);
  const holds = (entry: CatalogEntry) => !options.source || entry.manifest!.items.some((item) => item.source === options.source);
  let id: string | undefined;
  if (ref === 'latest') {
    id = [...byId.keys()]
      .sort()
      .reverse()
      .find((candidate) => byId.get(candidate)!.some((entry) => holds(entry) && (entry.status === 'complete' || options.source)));
    // A newer set that is not authentic is not silently stepped over: which set to trust
    // instead (and how much data that loses) is a person's decision.
    const newerRefused = view.entries.find((entry) => entry.refused && (!id || entry.id > id) && !byId.has(entry.id));
    if (newerRefused) {
      throw new DrcError(`the newest set ${newerRefused.id} on ${newerRefused.target} is REFUSED: ${newerRefused.problem}`, {
        hint: id
          ? `someone with write access to ${newerRefused.target} may have planted it; the newest authentic set is ${id}: name it instead of "latest" once you have looked`
          : `someone with write access to ${newerRefused.target} may have changed it; no authentic set is left to use`,
      });
    }
    if (!id) {
      refuseLegacy(view.entries.find((entry) => entry.legacy && holds(entry)));
      const what = options.source ? ` holding source ${options.source}` : '';
      throw new DrcError(`no backup set${what} on ${targets.map((target) => target.name).join(', ')}`, {
        hint: 'run "drc backup" first, or "drc backups" to see what is stored',
      });
    }
  } else {
    id = ref;
    if (!byId.has(id)) {
      refuseLegacy(view.entries.find((entry) => entry.legacy && entry.id === ref));
      const damaged = view.entries.find((entry) => entry.id === ref && entry.problem);
      if (damaged?.refused) {
        throw new DrcError(`backup set ${ref} on ${damaged.target}: ${damaged.problem}; refusing to act on it`, {
          hint: 'someone with write access to the target may have changed it: restore from another set ("drc backups") and find out who',
        });
      }
      throw new DrcError(`backup set ${ref} not found on ${targets.map((target) => target.name).join(', ')}${damaged ? ` (${damaged.problem})` : ''}`, {
        hint: 'list the sets with "drc backups"; "latest" picks the newest',
      });
    }
  }
  const entries = byId.get(id)!;
  for (const entry of entries.filter((candidate) => candidate.legacy)) {
    options.emit?.({
      type: 'log',
      level: 'warn',
      message: `!!! ${entry.target}:${entry.id}: ${entry.problem}. Used only because --allow-unsigned was given: nothing proves this set came from your backups !!!`,
    });
  }
  const copies = view.targets.flatMap((target) => {
    const entry = entries.find((candidate) => candidate.target === target.name);
    return entry ? [{ target, manifest: entry.manifest! }] : [];
  });
  return { id, time: parseSetId(id)?.time ?? new Date(copies[0]!.manifest.startedAt), manifest: copies[0]!.manifest, copies };
}

function refuseLegacy(entry: CatalogEntry | undefined): void {
  if (!entry) return;
  throw new DrcError(`${entry.target}:${entry.id}: ${entry.problem}; refusing to act on it`, {
    hint: 'if you know this set was written by drc before it sealed sets, check it by hand and pass --allow-unsigned',
  });
}

/** The set's item for a source, or an error that lists what the set holds. */
export function findItem(resolved: ResolvedSet, source: string): ManifestItem {
  // A pitr source's base backup is a second item under the same source name; restores read the dump.
  const item = resolved.manifest.items.find((entry) => entry.source === source && !entry.baseBackup);
  if (!item) {
    const failed = resolved.manifest.failures.find((failure) => failure.source === source);
    throw new DrcError(
      failed
        ? `set ${resolved.id} has no ${source}: its backup failed then (${failed.error})`
        : `set ${resolved.id} holds no source "${source}" (it holds: ${resolved.manifest.items.map((entry) => entry.source).join(', ')})`,
      { hint: 'pick another set with "drc backups", or "latest"' },
    );
  }
  return item;
}

/** What SHA256SUMS on this copy lists for a file (undefined when the file or the entry is missing). */
export async function readListedSha256(copy: SetCopy, setId: string, file: string): Promise<string | undefined> {
  const sums = await copy.target.readFile(setId, SUMS_FILE).catch(() => undefined);
  return sums ? parseSums(sums.toString('utf8')).get(file) : undefined;
}

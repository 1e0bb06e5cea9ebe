import { DrcError, EXIT } from '../errors.js';
import type { CatalogEntry } from '../sets/catalog.js';
import type { ManifestItem } from '../sets/manifest.js';

/**
 * The newest set whose `source` item was finished by `at` and can start a replay
 * (`canReplayFrom`: the dump recorded its log coordinates, the base backup its WAL start).
 * The finish time bounds the snapshot from above, so the replay never starts after `at`.
 * Pure: the catalog is passed in. Throws (exit 2) naming the oldest usable backup when none
 * is old enough.
 */
export function chooseBaseBefore(
  entries: CatalogEntry[],
  source: string,
  at: Date,
  canReplayFrom: (item: ManifestItem) => boolean,
): { setId: string; item: ManifestItem } {
  const candidates = entries
    .flatMap((entry) => {
      const item = entry.manifest?.items.find((candidate) => candidate.source === source);
      return item && canReplayFrom(item) ? [{ setId: entry.id, item }] : [];
    })
    .sort((a, b) => Date.parse(b.item.finishedAt) - Date.parse(a.item.finishedAt));
  const chosen = candidates.find((candidate) => Date.parse(candidate.item.finishedAt) <= at.getTime());
  if (chosen) return chosen;
  const oldest = candidates[candidates.length - 1];
  throw new DrcError(
    oldest
      ? `no backup of ${source} old enough for ${at.toISOString()}: the oldest that can start a replay finished ${oldest.item.finishedAt} (set ${oldest.setId})`
      : `no backup of ${source} can start a point-in-time replay: none recorded its log coordinates`,
    {
      exitCode: EXIT.critical,
      hint: oldest ? 'pick a later time' : 'turn on the server\'s log (see README "Point-in-time recovery"), then run "drc backup" and keep "drc archive" running',
    },
  );
}

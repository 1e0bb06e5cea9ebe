import type { PostgresSourceConfig, SourceConfig } from '../../config/schema.js';
import type { CatalogEntry } from '../../sets/catalog.js';
import type { BaseBackupInfo, ManifestItem } from '../../sets/manifest.js';
import { parseDuration } from '../../util/duration.js';

export const DEFAULT_BASE_BACKUP_EVERY = '7d';

/** A base backup as found in a set: the set, its item, and when the backup was finished. */
export interface FoundBaseBackup {
  setId: string;
  item: ManifestItem & { baseBackup: BaseBackupInfo };
  /** pg_basebackup's end: recovery can reach times from here on. */
  finishedAt: Date;
}

export function isPitrSource(source: SourceConfig): source is PostgresSourceConfig & { pitr: true } {
  return source.type === 'postgres' && source.pitr === true;
}

/** The base-backup items of a source in a catalog, newest first, one per set. */
export function listBaseBackups(catalog: CatalogEntry[], source: string): FoundBaseBackup[] {
  const seen = new Set<string>();
  const found: FoundBaseBackup[] = [];
  for (const entry of catalog) {
    if (seen.has(entry.id)) continue;
    const item = entry.manifest?.items.find((candidate) => candidate.source === source && candidate.baseBackup);
    if (!item?.baseBackup) continue;
    seen.add(entry.id);
    found.push({ setId: entry.id, item: item as FoundBaseBackup['item'], finishedAt: new Date(item.finishedAt) });
  }
  return found.sort((a, b) => b.finishedAt.getTime() - a.finishedAt.getTime());
}

/** Pure: a backup takes a base backup when none exists or the newest is older than `baseBackupEvery`. */
export function isBaseBackupDue(catalog: CatalogEntry[], source: PostgresSourceConfig, now: Date): boolean {
  const newest = listBaseBackups(catalog, source.name)[0];
  if (!newest) return true;
  const every = parseDuration(source.baseBackupEvery ?? DEFAULT_BASE_BACKUP_EVERY)!;
  return now.getTime() - newest.finishedAt.getTime() >= every;
}

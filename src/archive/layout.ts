import { ENTRY_SUFFIX } from './entry.js';
import { confineSegment } from './names.js';

/**
 * Where things live under `<target>/archive/<source>/`:
 *   <name><compression suffix>.gpg   the data (mysql-bin.000042.zst.gpg, 00000001/0000….zst.gpg)
 *   <name>.json                      its index entry, written after the data: "archived"
 *   RESTORE.md                       the by-hand commands
 * `<name>` is one segment (a binlog file) or two (a PostgreSQL timeline folder and a segment).
 */
export const ARCHIVE_RESTORE_DOC = 'RESTORE.md';

/** A file name inside archive/<source>/: one or two confined segments. */
export function confineArchiveName(name: string): string {
  const segments = name.split('/');
  if (segments.length > 2) confineSegment(name, 'archive name');
  for (const segment of segments) confineSegment(segment, 'archive name');
  return name;
}

export function archiveDataFile(name: string, compressionSuffix: string): string {
  return `${confineArchiveName(name)}${compressionSuffix}.gpg`;
}

/** Relative to archive/: `<source>/<name>.json`. */
export function archiveEntryFile(source: string, name: string): string {
  return `${confineSegment(source, 'archive source')}/${confineArchiveName(name)}${ENTRY_SUFFIX}`;
}

/** The entry name for a listed file (`mysql-bin.000042.json` → `mysql-bin.000042`), else undefined. */
export function entryNameOf(listed: string): string | undefined {
  if (!listed.endsWith(ENTRY_SUFFIX)) return undefined;
  const name = listed.slice(0, -ENTRY_SUFFIX.length);
  try {
    return confineArchiveName(name);
  } catch {
    return undefined;
  }
}

import type { Target } from '../storage/types.js';
import { SEAL_SUFFIXES } from '../trust/authenticate.js';
import { ARCHIVE_RESTORE_DOC, archiveEntryFile } from './layout.js';
import { confineSegment } from './names.js';
import type { TimelineFile } from './timeline.js';

/** RESTORE.md in archive/<source>/ on every target; rewritten when its text changed. */
export async function writeArchiveDoc(targets: Target[], source: string, markdown: string): Promise<void> {
  const file = `${confineSegment(source, 'archive source')}/${ARCHIVE_RESTORE_DOC}`;
  for (const target of targets) {
    const current = await target.readArchiveFile(file).catch(() => undefined);
    if (current?.toString('utf8') !== markdown) await target.writeArchiveFile(file, markdown);
  }
}

/**
 * Removes archived files from every target that holds them: the index entry first, so a
 * removal cut short never leaves an entry that points at nothing. Returns how many were removed.
 */
export async function removeArchivedFiles(targets: Target[], files: TimelineFile[]): Promise<number> {
  let removed = 0;
  for (const file of files) {
    const { entry } = file;
    for (const target of targets.filter((candidate) => file.targets.includes(candidate.name))) {
      const entryFile = archiveEntryFile(entry.source, entry.name);
      await target.removeArchiveFile(entryFile);
      for (const suffix of SEAL_SUFFIXES) await target.removeArchiveFile(`${entryFile}${suffix}`);
      await target.removeArchiveFile(`${entry.source}/${entry.file}`);
    }
    removed += 1;
  }
  return removed;
}

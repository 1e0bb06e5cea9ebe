import { DrcError } from '../errors.js';
import { checkConfinedName } from '../trust/confine.js';

/** `<target>/archive/`: beside the sets and never a set id, so set listings and debris removal pass it by. */
export const ARCHIVE_DIR = 'archive';

/**
 * One path segment of the archive (a source name, a binlog file, a WAL timeline or segment).
 * Strict on purpose: names come from listings, index entries and the command line, and each
 * ends up in a local path or an S3 key. The project-wide confinement (src/trust/confine.ts)
 * applies first; this pattern is the archive's own, stricter rule on top.
 */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export function isSafeSegment(segment: string): boolean {
  return checkConfinedName(segment) === undefined && SEGMENT.test(segment) && !segment.includes('..');
}

/** Returns `segment` when it is one safe path segment; throws a DrcError naming it otherwise. */
export function confineSegment(segment: string, what: string): string {
  if (!isSafeSegment(segment)) {
    throw new DrcError(`${what} ${JSON.stringify(segment)} is not a safe archive name`, {
      hint: 'archive names are letters, digits, ".", "_" and "-" only, without "/" or ".."',
    });
  }
  return segment;
}

/** A '/'-separated relative archive path, every segment confined. */
export function confineArchivePath(relative: string, what: string): string {
  const segments = relative.split('/');
  for (const segment of segments) confineSegment(segment, what);
  return segments.join('/');
}

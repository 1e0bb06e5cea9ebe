import { errorMessage } from '../errors.js';
import type { Target } from '../storage/types.js';
import type { DocumentTrust } from '../trust/authenticate.js';
import type { ArchiveEntry } from './entry.js';
import { entryNameOf } from './layout.js';
import { confineSegment } from './names.js';
import { readEntry } from './push.js';
import { sequenceOf, type SequencePlace } from './sequence.js';

export interface TimelineFile {
  entry: ArchiveEntry;
  place: SequencePlace | undefined;
  /** Targets whose index lists this file (the first is read from). */
  targets: string[];
}

/** Files missing between two archived ones: the server purged them before they were archived. */
export interface ArchiveGap {
  stream: string;
  /** The archived file before the gap and the one after it. */
  after: string;
  before: string;
  /** How many files are missing, and the first and last missing sequence number. */
  missing: number;
  /** The time range nothing can be replayed across: the end of `after`, the start of `before`. */
  from: string | undefined;
  to: string | undefined;
}

export interface ArchiveTimeline {
  source: string;
  /** In replay order: by stream, then sequence number. */
  files: TimelineFile[];
  gaps: ArchiveGap[];
  /** The newest archived event: what a point-in-time restore can reach (the RPO point). */
  newestEventAt: string | undefined;
  /** Entries that could not be read, and targets that could not be listed. */
  problems: string[];
}

/** One target's index entries for a source (unreadable ones named in `problems`). */
export async function listArchiveEntries(target: Target, source: string, trust?: DocumentTrust): Promise<{ entries: ArchiveEntry[]; problems: string[] }> {
  confineSegment(source, 'archive source');
  const entries: ArchiveEntry[] = [];
  const problems: string[] = [];
  for (const file of await target.listArchive(source)) {
    const name = entryNameOf(file.name);
    if (!name) continue;
    try {
      const entry = await readEntry(target, source, name, trust);
      if (entry) entries.push(entry);
    } catch (error) {
      problems.push(errorMessage(error));
    }
  }
  return { entries, problems };
}

/**
 * The archive of one source across every target: each file once (from the first target that
 * lists it), in replay order, with the gaps between them and the newest archived event.
 */
export async function loadArchiveTimeline(targets: Target[], source: string, trust?: DocumentTrust): Promise<ArchiveTimeline> {
  const byName = new Map<string, TimelineFile>();
  const problems: string[] = [];
  for (const target of targets) {
    let listed: Awaited<ReturnType<typeof listArchiveEntries>>;
    try {
      listed = await listArchiveEntries(target, source, trust);
    } catch (error) {
      problems.push(`${target.name}: ${errorMessage(error)}`);
      continue;
    }
    problems.push(...listed.problems);
    for (const entry of listed.entries) {
      const known = byName.get(entry.name);
      if (known) known.targets.push(target.name);
      else byName.set(entry.name, { entry, place: sequenceOf(entry), targets: [target.name] });
    }
  }
  return buildTimeline(source, [...byName.values()], problems);
}

/** Pure: orders the files, finds the gaps and the newest event. */
export function buildTimeline(source: string, files: TimelineFile[], problems: string[] = []): ArchiveTimeline {
  const ordered = [...files].sort(compareFiles);
  const gaps: ArchiveGap[] = [];
  for (let index = 1; index < ordered.length; index += 1) {
    const previous = ordered[index - 1]!;
    const current = ordered[index]!;
    if (!previous.place || !current.place || previous.place.stream !== current.place.stream) continue;
    const missing = current.place.seq - previous.place.seq - 1n;
    if (missing > 0n) {
      gaps.push({
        stream: current.place.stream,
        after: previous.entry.name,
        before: current.entry.name,
        missing: Number(missing),
        from: previous.entry.lastEventAt,
        to: current.entry.firstEventAt,
      });
    }
  }
  const times = ordered.map((file) => file.entry.lastEventAt).filter((time): time is string => Boolean(time));
  const newestEventAt = times.length ? times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : undefined;
  return { source, files: ordered, gaps, newestEventAt, problems };
}

function compareFiles(a: TimelineFile, b: TimelineFile): number {
  if (a.place && b.place) {
    if (a.place.stream !== b.place.stream) return a.place.stream < b.place.stream ? -1 : 1;
    return a.place.seq < b.place.seq ? -1 : a.place.seq > b.place.seq ? 1 : 0;
  }
  return a.entry.name < b.entry.name ? -1 : a.entry.name > b.entry.name ? 1 : 0;
}

/** "mysql-bin.000007 … mysql-bin.000009 (3 files, 17:02:11 → 17:14:40)": a gap in words. */
export function describeGap(gap: ArchiveGap): string {
  const range = gap.from || gap.to ? `, nothing archived between ${gap.from ?? '?'} and ${gap.to ?? '?'}` : '';
  return `${gap.missing} file(s) missing between ${gap.after} and ${gap.before}${range}`;
}

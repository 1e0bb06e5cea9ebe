import type { ArchiveGap, ArchiveTimeline } from './timeline.js';

/** What status, metrics and the TUI show for a source's archive. */
export interface ArchiveSummary {
  source: string;
  files: number;
  /** Newest archived event (ISO): the point a restore can reach now. */
  newestEventAt: string | undefined;
  /** now − newestEventAt, in ms: the achievable RPO. */
  lagMs: number | undefined;
  /** When the newest file was archived. */
  lastArchivedAt: string | undefined;
  gaps: ArchiveGap[];
  problems: string[];
}

export function summarizeArchive(timeline: ArchiveTimeline, now: Date): ArchiveSummary {
  const archivedTimes = timeline.files.map((file) => file.entry.archivedAt).sort();
  return {
    source: timeline.source,
    files: timeline.files.length,
    newestEventAt: timeline.newestEventAt,
    lagMs: timeline.newestEventAt ? Math.max(0, now.getTime() - Date.parse(timeline.newestEventAt)) : undefined,
    lastArchivedAt: archivedTimes[archivedTimes.length - 1],
    gaps: timeline.gaps,
    problems: timeline.problems,
  };
}

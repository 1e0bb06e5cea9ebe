import { DrcError, EXIT } from '../errors.js';
import { sequenceOf } from './sequence.js';
import { describeGap, type ArchiveTimeline, type TimelineFile } from './timeline.js';

/** Where replay stops: just before an instant, or just before an event in a named file. */
export type StopPoint = { kind: 'time'; at: Date } | { kind: 'event'; name: string; position: number };

/**
 * The archived files a point-in-time restore replays, from the file holding the base backup's
 * coordinates to the file holding the stop point, with no gap between them. Pure: refuses
 * with exit 2 and the gap's time range when a file is missing, and says how far the archive
 * reaches when it does not reach the stop point yet.
 */
export function planReplay(timeline: ArchiveTimeline, fromName: string, stop: StopPoint): TimelineFile[] {
  const source = timeline.source;
  const startIndex = timeline.files.findIndex((file) => file.entry.name === fromName);
  if (startIndex < 0) {
    const first = timeline.files[0];
    throw new DrcError(
      `archive ${source}: the backup starts replay at ${fromName}, which was never archived${first ? ` (the archive starts at ${first.entry.name}, ${first.entry.firstEventAt ?? 'time unknown'})` : ' (nothing is archived yet)'}`,
      {
        exitCode: EXIT.critical,
        hint: 'point-in-time recovery needs every log file from the backup on: take a new backup now, and keep "drc archive" running so the server never purges a file before it is archived',
      },
    );
  }
  const chosen: TimelineFile[] = [];
  for (let index = startIndex; index < timeline.files.length; index += 1) {
    const file = timeline.files[index]!;
    const previous = chosen[chosen.length - 1];
    if (previous) {
      const gap = timeline.gaps.find((candidate) => candidate.after === previous.entry.name && candidate.before === file.entry.name);
      if (gap) {
        throw new DrcError(`archive ${source}: cannot replay across a gap: ${describeGap(gap)}`, {
          exitCode: EXIT.critical,
          hint: `restore to a point before ${gap.from ?? gap.after} (--at), or from a backup taken after ${gap.to ?? gap.before}`,
        });
      }
      if (sequenceOf(previous.entry)?.stream !== sequenceOf(file.entry)?.stream) break;
    }
    chosen.push(file);
    if (reachesStop(file, stop)) return chosen;
  }
  const newest = chosen[chosen.length - 1] ?? timeline.files[startIndex]!;
  throw new DrcError(
    `archive ${source}: the archive reaches only to ${newest.entry.name}${newest.entry.lastEventAt ? ` (last event ${newest.entry.lastEventAt})` : ''}, not to ${describeStop(stop)}`,
    { exitCode: EXIT.critical, hint: 'run "drc archive --once" to ship the newest log files, then try again' },
  );
}

function reachesStop(file: TimelineFile, stop: StopPoint): boolean {
  if (stop.kind === 'event') return file.entry.name === stop.name;
  return file.entry.lastEventAt !== undefined && Date.parse(file.entry.lastEventAt) >= stop.at.getTime();
}

export function describeStop(stop: StopPoint): string {
  return stop.kind === 'time' ? stop.at.toISOString() : `${stop.name}:${stop.position}`;
}

/**
 * Retention for the archive, pure: every file from `keepFromName` (the oldest kept backup's
 * starting file) on is needed; older files of the same stream are not. With no kept backup
 * that has coordinates, nothing is removed.
 */
export function planArchiveRetention(timeline: ArchiveTimeline, keepFromName: string | undefined): TimelineFile[] {
  if (!keepFromName) return [];
  const keepFrom = timeline.files.find((file) => file.entry.name === keepFromName)?.place ?? sequenceOfName(timeline, keepFromName);
  if (!keepFrom) return [];
  return timeline.files.filter((file) => file.place && file.place.stream === keepFrom.stream && file.place.seq < keepFrom.seq);
}

function sequenceOfName(timeline: ArchiveTimeline, name: string) {
  const kind = timeline.files[0]?.entry.kind;
  return kind ? sequenceOf({ kind, name }) : undefined;
}

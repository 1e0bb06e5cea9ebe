import { DrcError, EXIT } from '../errors.js';
import { parseDuration } from '../util/duration.js';

/** What `--at` was given and how it was read, for the plan shown before a restore. */
export interface PointInTime {
  at: Date;
  /** "2026-12-02 17:59:30 in Europe/Berlin (wall clock)", "5m ago", "ISO-8601 with offset". */
  readAs: string;
}

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;
const WITH_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Reads `--at`: ISO-8601 with an offset ("2026-12-02T17:59:30Z", "…+01:00"); a wall clock
 * without one ("2026-12-02 17:59:30") read in `timeZone` (an IANA name; default the local
 * zone); or a duration ago ("5m", "1h30m") for drills. Times in the future are refused.
 */
export function parsePointInTime(text: string, options: { now?: Date; timeZone?: string } = {}): PointInTime {
  const now = options.now ?? new Date();
  const trimmed = text.trim();
  const ago = parseDuration(trimmed);
  if (ago !== undefined) return checkPast({ at: new Date(now.getTime() - ago), readAs: `${trimmed} before ${now.toISOString()}` }, text, now);
  if (WITH_OFFSET.test(trimmed) && /^\d{4}-\d{2}-\d{2}[ T]/.test(trimmed)) {
    const at = new Date(trimmed.replace(' ', 'T'));
    if (!Number.isNaN(at.getTime())) return checkPast({ at, readAs: 'ISO-8601 with offset' }, text, now);
  }
  const wall = WALL_CLOCK.exec(trimmed);
  if (wall) {
    const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    const [, y, mo, d, h, mi, s, frac] = wall;
    const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), Math.round(Number(`0.${frac ?? 0}`) * 1000)] as const;
    const at = wallClockToInstant(fields, timeZone);
    return checkPast({ at, readAs: `wall clock in ${timeZone}` }, text, now);
  }
  throw new DrcError(`--at ${JSON.stringify(text)}: not a time`, {
    exitCode: EXIT.critical,
    hint: 'give ISO-8601 ("2026-12-02T17:59:30Z"), a wall clock in the local zone ("2026-12-02 17:59:30"), or a duration ago ("5m")',
  });
}

function checkPast(point: PointInTime, text: string, now: Date): PointInTime {
  if (point.at.getTime() > now.getTime()) {
    throw new DrcError(`--at ${JSON.stringify(text)} is in the future (${point.at.toISOString()})`, { exitCode: EXIT.critical, hint: 'give a time that has already passed' });
  }
  return point;
}

/** The instant a wall clock shows in `timeZone`, DST included (two passes settle the offset). */
function wallClockToInstant(fields: readonly [number, number, number, number, number, number, number], timeZone: string): Date {
  const asUtc = Date.UTC(...fields);
  let guess = asUtc - offsetAt(asUtc, timeZone);
  guess = asUtc - offsetAt(guess, timeZone);
  return new Date(guess);
}

/** The zone's offset from UTC (ms) at an instant. */
export function offsetAt(instant: number, timeZone: string): number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  } catch {
    throw new DrcError(`time zone ${JSON.stringify(timeZone)} is not known`, { hint: 'use an IANA zone name such as Europe/Berlin or UTC' });
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  const shown = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return shown - Math.floor(instant / 1000) * 1000;
}

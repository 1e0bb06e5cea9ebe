import os from 'node:os';

/**
 * SET = 2026-11-22T02-00-00Z_<host>: sorts by time as plain text, safe as a folder name and an
 * S3 key, and says where it came from.
 */
const SET_ID = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z_([A-Za-z0-9._-]+)$/;

export function makeSetId(time: Date, host = hostName()): string {
  const iso = time.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${iso.replace(/:/g, '-')}_${host}`;
}

export function hostName(): string {
  return os.hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'host';
}

export function isSetId(text: string): boolean {
  return SET_ID.test(text);
}

export function parseSetId(id: string): { time: Date; host: string } | undefined {
  const match = SET_ID.exec(id);
  if (!match) return undefined;
  const [, day, hh, mm, ss, host] = match;
  return { time: new Date(`${day}T${hh}:${mm}:${ss}Z`), host: host! };
}

/** Newest first. */
export function compareSetIdsDescending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

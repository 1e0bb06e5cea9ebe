/**
 * PostgreSQL WAL file names: `TTTTTTTTXXXXXXXXYYYYYYYY` (timeline, then the segment number as
 * two 32-bit halves), `TTTTTTTT.history` and `<segment>.XXXXXXXX.backup`. Pure functions.
 */

export const WAL_SEGMENT = /^[0-9A-F]{24}$/;
const HISTORY = /^[0-9A-F]{8}\.history$/;
const BACKUP_HISTORY = /^[0-9A-F]{24}\.[0-9A-F]{8}\.backup$/;
const PARTIAL = /^[0-9A-F]{24}\.partial$/;

export type WalFileKind = 'segment' | 'history' | 'backup' | 'partial';

/** The kind of a file archive_command/restore_command hands us, or undefined for anything else. */
export function walFileKind(name: string): WalFileKind | undefined {
  if (WAL_SEGMENT.test(name)) return 'segment';
  if (HISTORY.test(name)) return 'history';
  if (BACKUP_HISTORY.test(name)) return 'backup';
  if (PARTIAL.test(name)) return 'partial';
  return undefined;
}

/** The timeline a WAL file belongs to: the first 8 hex digits of every kind. */
export function walTimeline(name: string): number {
  return parseInt(name.slice(0, 8), 16);
}

export function timelineHex(timeline: number): string {
  return timeline.toString(16).toUpperCase().padStart(8, '0');
}

/** "0/2000028" → 33554472n. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text.trim());
  if (!match) throw new Error(`not an LSN: "${text}"`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** The absolute segment number (counting from 0) that holds an LSN. */
export function segmentNumberOfLsn(lsn: bigint, segmentBytes: number): bigint {
  return lsn / BigInt(segmentBytes);
}

/** The WAL file name of a segment number on a timeline (what pg_walfile_name computes). */
export function segmentName(timeline: number, segment: bigint, segmentBytes: number): string {
  const perId = 0x100000000n / BigInt(segmentBytes);
  const hi = (segment / perId).toString(16).toUpperCase().padStart(8, '0');
  const lo = (segment % perId).toString(16).toUpperCase().padStart(8, '0');
  return `${timelineHex(timeline)}${hi}${lo}`;
}

/** The segment number a WAL segment's name stands for (timeline ignored). */
export function segmentNumber(name: string, segmentBytes: number): bigint {
  const perId = 0x100000000n / BigInt(segmentBytes);
  return BigInt(`0x${name.slice(8, 16)}`) * perId + BigInt(`0x${name.slice(16, 24)}`);
}

/** The WAL segment holding `lsn` on `timeline`: pg_walfile_name, except at an exact boundary. */
export function walFileOfLsn(timeline: number, lsn: string, segmentBytes: number): string {
  return segmentName(timeline, segmentNumberOfLsn(parseLsn(lsn), segmentBytes), segmentBytes);
}

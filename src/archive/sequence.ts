import type { ArchiveEntry, ArchiveKind } from './entry.js';

/**
 * Where a file sits in its kind's unbroken sequence: files of one `stream` follow each other
 * when their `seq` numbers are consecutive. A missing number is a gap no replay can cross.
 * undefined for files outside any sequence (a PostgreSQL .history file).
 */
export interface SequencePlace {
  stream: string;
  seq: bigint;
}

export type SequenceOf = (name: string) => SequencePlace | undefined;

/** "mysql-bin.000042" → stream "mysql-bin", 42. The server numbers every new file one up. */
export function mysqlBinlogSequence(name: string): SequencePlace | undefined {
  const match = /^(.+)\.(\d{6,})$/.exec(name);
  return match ? { stream: match[1]!, seq: BigInt(match[2]!) } : undefined;
}

/**
 * "00000001/000000010000000A000000FF" → stream "00000001" (the timeline), segment number
 * log × 256 + seg, which is consecutive for the default 16 MiB wal_segment_size. Issue 11
 * refines this for other segment sizes.
 */
export function postgresWalSequence(name: string): SequencePlace | undefined {
  const match = /^([0-9A-F]{8})\/([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/.exec(name);
  if (!match) return undefined;
  return { stream: match[1]!, seq: BigInt(`0x${match[3]}`) * 256n + BigInt(`0x${match[4]}`) };
}

export const SEQUENCE_BY_KIND: Record<ArchiveKind, SequenceOf> = {
  'mysql-binlog': mysqlBinlogSequence,
  'postgres-wal': postgresWalSequence,
};

export function sequenceOf(entry: Pick<ArchiveEntry, 'kind' | 'name'>): SequencePlace | undefined {
  return SEQUENCE_BY_KIND[entry.kind](entry.name);
}

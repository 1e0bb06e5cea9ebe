import type mysql from 'mysql2/promise';
import type { ManifestItem } from '../sets/manifest.js';

/** What the server says about its binary log: whether PITR can work, and why not. */
export interface BinlogState {
  enabled: boolean;
  format: string | undefined;
  /** Why point-in-time recovery is off, in the operator's terms (undefined when on). */
  reason: string | undefined;
}

/** Reads @@log_bin and @@binlog_format; a server without the binary log dumps as before. */
export async function readBinlogState(db: mysql.Connection): Promise<BinlogState> {
  const [rows] = await db.query('SELECT @@log_bin AS logBin, @@binlog_format AS format');
  const row = (rows as Array<{ logBin: number | string; format: string | null }>)[0]!;
  const enabled = Number(row.logBin) === 1;
  return {
    enabled,
    format: row.format ?? undefined,
    reason: enabled ? undefined : 'the server runs without a binary log (log_bin is OFF): set log_bin, server_id and binlog_format=ROW (README "Point-in-time recovery")',
  };
}

/** mariadb-dump flags that record the snapshot's coordinates without a global lock under --single-transaction. */
export function coordinateFlags(state: BinlogState): string[] {
  return state.enabled ? ['--master-data=2', '--gtid'] : [];
}

const CHANGE_MASTER = /^-- CHANGE MASTER TO MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\d+);$/m;
const GTID_POS = /^-- SET GLOBAL gtid_slave_pos='([^']*)';$/m;
/** The coordinates comment sits in the dump's first few KiB; stop looking after this much. */
const HEAD_LIMIT = 64 * 1024;

/**
 * Picks the snapshot's binlog file and position from the commented CHANGE MASTER line near
 * the top of the dump (the GTID position is in its tail, read at the end).
 */
export class BinlogCoordinateScanner {
  private head = '';
  private found: { file: string; position: number } | undefined;

  push(chunk: Buffer): void {
    if (this.found || this.head.length >= HEAD_LIMIT) return;
    this.head += chunk.subarray(0, HEAD_LIMIT - this.head.length).toString('latin1');
    const match = CHANGE_MASTER.exec(this.head);
    if (match) {
      this.found = { file: match[1]!, position: Number(match[2]) };
      this.head = '';
    }
  }

  /** The manifest fields for a finished dump; `tail` is the dump's last bytes. */
  result(state: BinlogState, tail: Buffer): Pick<ManifestItem, 'binlog' | 'pitr'> {
    if (!state.enabled) return { pitr: { enabled: false, reason: state.reason! } };
    if (!this.found) return { pitr: { enabled: false, reason: 'the dump carries no binlog coordinates (no CHANGE MASTER comment): check the dump tool supports --master-data' } };
    const gtid = GTID_POS.exec(tail.toString('latin1'))?.[1];
    return {
      binlog: { ...this.found, ...(gtid ? { gtid } : {}), ...(state.format ? { format: state.format } : {}) },
      pitr: { enabled: true },
    };
  }
}

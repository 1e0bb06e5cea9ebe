import { Transform, type TransformCallback } from 'node:stream';

/** The line mariadb-binlog writes before each transaction to replay it under its original GTID. */
const GTID_SEQ_LINE = /^\/\*M!100001 SET @@session\.gtid_seq_no=\d+\*\/\/\*!\*\/;\n/gm;

/**
 * Drops the "SET @@session.gtid_seq_no=N" lines from decoded binlog SQL, so replayed
 * transactions get fresh GTIDs from the server instead of reusing old ones: a replay into a
 * scratch database on the same server must not write GTIDs out of order into its binary log
 * (which would break replicas and the next decode). Works line by line; latin1 keeps bytes as they are.
 */
export class DropGtidSeqNo extends Transform {
  private carry = '';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = this.carry + chunk.toString('latin1');
    const end = text.lastIndexOf('\n') + 1;
    this.carry = text.slice(end);
    callback(null, Buffer.from(text.slice(0, end).replace(GTID_SEQ_LINE, ''), 'latin1'));
  }

  override _flush(callback: TransformCallback): void {
    callback(null, Buffer.from(this.carry, 'latin1'));
  }
}

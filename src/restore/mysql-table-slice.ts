import { Transform, type TransformCallback } from 'node:stream';

/**
 * Keeps one table's part of a mysqldump/mariadb-dump stream: the header (session settings),
 * then only the section that starts at "-- Table structure for table `T`" and runs to the next
 * section marker (its CREATE TABLE, data and triggers). Dumps escape newlines inside strings,
 * so a marker can only ever be a real line of the dump.
 */
const MARKERS = ['-- Table structure for table ', '-- Temporary table structure for view ', '-- Final view structure for view ', '-- Dumping events for database ', '-- Dumping routines for database '];
const NEWLINE = 0x0a;
const DASH = 0x2d;
const LONGEST_MARKER_LINE = 4096;

export class MysqlTableSlice extends Transform {
  private keep = true;
  private atLineStart = true;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Whether the table's section was seen at all (so "no such table in the dump" can be said). */
  found = false;
  private readonly wanted: string;

  constructor(table: string) {
    super({ highWaterMark: 1 << 20 });
    this.wanted = `-- Table structure for table \`${table.replace(/`/g, '``')}\``;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.pendingBytes > 0 || (this.atLineStart && chunk[i] === DASH)) {
        // A line that may be a marker: collect it whole before deciding.
        const end = chunk.indexOf(NEWLINE, i);
        const piece = chunk.subarray(i, end === -1 ? chunk.length : end + 1);
        this.pending.push(piece);
        this.pendingBytes += piece.length;
        i += piece.length;
        if (end !== -1 || this.pendingBytes > LONGEST_MARKER_LINE) this.settleLine(end !== -1);
        continue;
      }
      const end = chunk.indexOf(NEWLINE, i);
      const piece = chunk.subarray(i, end === -1 ? chunk.length : end + 1);
      if (this.keep) this.push(piece);
      i += piece.length;
      this.atLineStart = end !== -1;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.pendingBytes) this.settleLine(false);
    callback();
  }

  private settleLine(complete: boolean): void {
    const line = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.atLineStart = complete;
    const text = line.toString('utf8').replace(/\r?\n$/, '');
    if (MARKERS.some((marker) => text.startsWith(marker))) {
      this.keep = text === this.wanted;
      if (this.keep) this.found = true;
    }
    if (this.keep) this.push(line);
  }
}

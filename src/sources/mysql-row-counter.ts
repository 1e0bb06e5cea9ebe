/**
 * Counts rows per table in a mysqldump/mariadb-dump stream as it passes by. MySQL cannot hand
 * its dump snapshot to another connection, so counting the dump itself is the only way to get
 * counts that match the dump exactly. Dumps write `INSERT INTO \`t\` VALUES (…),(…);` starting
 * a line (MariaDB 10.11 puts each row on a line of its own), strings single-quoted and
 * backslash-escaped; a row is a top-level "(" and the statement ends at a top-level ";".
 */
const INSERT_PREFIX = Buffer.from('INSERT INTO `');
const NEWLINE = 0x0a;
const QUOTE = 0x27;
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;
const BACKTICK = 0x60;
const SEMICOLON = 0x3b;

type State = 'line-start' | 'skip-line' | 'table-name' | 'before-values' | 'values';

export class MysqlRowCounter {
  readonly counts = new Map<string, number>();
  private state: State = 'line-start';
  private prefixMatched = 0;
  private nameBytes: number[] = [];
  private table = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pendingBacktick = false;

  push(chunk: Buffer): void {
    let i = 0;
    const length = chunk.length;
    while (i < length) {
      switch (this.state) {
        case 'line-start': {
          const byte = chunk[i]!;
          if (byte === INSERT_PREFIX[this.prefixMatched]) {
            this.prefixMatched += 1;
            i += 1;
            if (this.prefixMatched === INSERT_PREFIX.length) {
              this.state = 'table-name';
              this.nameBytes = [];
              this.pendingBacktick = false;
            }
          } else {
            this.state = byte === NEWLINE ? 'line-start' : 'skip-line';
            this.prefixMatched = 0;
            if (byte === NEWLINE) i += 1;
          }
          break;
        }
        case 'skip-line': {
          const next = chunk.indexOf(NEWLINE, i);
          if (next === -1) return;
          i = next + 1;
          this.state = 'line-start';
          this.prefixMatched = 0;
          break;
        }
        case 'table-name': {
          const byte = chunk[i]!;
          i += 1;
          if (this.pendingBacktick) {
            this.pendingBacktick = false;
            if (byte === BACKTICK) {
              this.nameBytes.push(BACKTICK); // `` is an escaped backtick inside the name
              break;
            }
            this.table = Buffer.from(this.nameBytes).toString('utf8');
            this.state = 'before-values';
            i -= 1;
            break;
          }
          if (byte === BACKTICK) this.pendingBacktick = true;
          else this.nameBytes.push(byte);
          break;
        }
        case 'before-values': {
          // " VALUES " (or a column list in --complete-insert dumps) up to the first "(" of the data.
          const byte = chunk[i]!;
          i += 1;
          if (byte === OPEN && this.sawValuesKeyword) {
            this.state = 'values';
            this.depth = 1;
            this.inString = false;
            this.escaped = false;
            this.counts.set(this.table, (this.counts.get(this.table) ?? 0) + 1);
          } else {
            this.trackValuesKeyword(byte);
          }
          break;
        }
        case 'values':
          i = this.scanValues(chunk, i);
          break;
      }
    }
  }

  private keyword = '';
  private sawValuesKeyword = false;

  private trackValuesKeyword(byte: number): void {
    this.keyword = (this.keyword + String.fromCharCode(byte)).slice(-7);
    if (this.keyword === ' VALUES') this.sawValuesKeyword = true;
  }

  private scanValues(chunk: Buffer, start: number): number {
    let i = start;
    const length = chunk.length;
    while (i < length) {
      const byte = chunk[i]!;
      i += 1;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
        continue;
      }
      if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN) {
        if (this.depth === 0) this.counts.set(this.table, (this.counts.get(this.table) ?? 0) + 1);
        this.depth += 1;
      } else if (byte === CLOSE) this.depth -= 1;
      else if (byte === SEMICOLON && this.depth === 0) {
        this.state = 'skip-line';
        this.prefixMatched = 0;
        this.keyword = '';
        this.sawValuesKeyword = false;
        return i;
      }
    }
    return i;
  }
}

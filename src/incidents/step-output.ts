import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { redact } from '../config/secrets.js';
import { OUTPUT_DIR } from './journal.js';

const TAIL_LINES = 20;
const TAIL_CHARS = 4000;

/**
 * A step's full output goes to output/NN-slug.log (appended across attempts); the journal
 * gets a bounded tail, so a chatty command never bloats it.
 */
export class StepOutput {
  private readonly fd: number;
  private readonly tail: string[] = [];
  bytes = 0;
  /** Relative to the incident folder, as recorded in the journal. */
  readonly file: string;

  constructor(incidentDir: string, step: number, title: string, attempt: number) {
    this.file = path.join(OUTPUT_DIR, `${String(step + 1).padStart(2, '0')}-${slugify(title)}.log`);
    this.fd = openSync(path.join(incidentDir, this.file), 'a', 0o600);
    writeSync(this.fd, `=== attempt ${attempt}, ${new Date().toISOString()} ===\n`);
  }

  /** Writes one line, masked; returns the masked line for display. */
  write(line: string): string {
    const masked = redact(line);
    const data = masked + '\n';
    writeSync(this.fd, data);
    this.bytes += Buffer.byteLength(data);
    this.tail.push(masked);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    return masked;
  }

  tailText(): string {
    const text = this.tail.join('\n');
    return text.length > TAIL_CHARS ? '…' + text.slice(-TAIL_CHARS) : text;
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'step'
  );
}

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { redact } from '../config/secrets.js';
import { DrcError } from '../errors.js';
import { journalEventSchema, type JournalEntry, type JournalEvent } from './journal-schema.js';

export const JOURNAL_FILE = 'journal.jsonl';
export const OUTPUT_DIR = 'output';

export function incidentsDir(stateDir: string): string {
  return path.join(stateDir, 'incidents');
}

/**
 * Append-only, one event per line, fsynced before append() returns: the step an event
 * describes proceeds only once the event is on disk, so a kill loses nothing that happened.
 * Writes are synchronous so events from concurrent callbacks never interleave.
 */
export class Journal {
  private fd: number | undefined;

  private constructor(readonly dir: string) {
    this.fd = openSync(path.join(dir, JOURNAL_FILE), 'a', 0o600);
  }

  /** Creates the incident folder; the id gets "-2", "-3" … when two incidents start in the same minute. */
  static create(stateDir: string, baseId: string): Journal {
    const parent = incidentsDir(stateDir);
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    for (let n = 1; ; n += 1) {
      const dir = path.join(parent, n === 1 ? baseId : `${baseId}-${n}`);
      try {
        mkdirSync(dir, { mode: 0o700 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      mkdirSync(path.join(dir, OUTPUT_DIR), { mode: 0o700 });
      fsyncDir(parent);
      return new Journal(dir);
    }
  }

  static open(dir: string): Journal {
    return new Journal(dir);
  }

  get id(): string {
    return path.basename(this.dir);
  }

  append(entry: JournalEntry, now = new Date()): JournalEvent {
    if (this.fd === undefined) throw new Error('journal is closed');
    const event = { at: now.toISOString(), ...entry } as JournalEvent;
    writeSync(this.fd, redact(JSON.stringify(event)) + '\n');
    fsyncSync(this.fd);
    return event;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * The events of one incident, oldest first. A torn last line (the process died while
 * writing it) is dropped: its event never completed, so its step never proceeded.
 */
export function readJournal(dir: string): JournalEvent[] {
  let text: string;
  try {
    text = readFileSync(path.join(dir, JOURNAL_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DrcError(`incident ${path.basename(dir)}: no journal at ${path.join(dir, JOURNAL_FILE)}`, {
        hint: 'run "drc incidents" to list the incidents in this state folder',
      });
    }
    throw error;
  }
  const lines = text.split('\n').filter((line) => line.trim());
  const events: JournalEvent[] = [];
  lines.forEach((line, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (index === lines.length - 1) return;
      throw new DrcError(`${path.join(dir, JOURNAL_FILE)}:${index + 1}: not valid JSON`, {
        hint: 'the journal was edited or damaged; fix or remove that line',
      });
    }
    const result = journalEventSchema.safeParse(parsed);
    if (!result.success) {
      throw new DrcError(`${path.join(dir, JOURNAL_FILE)}:${index + 1}: not a journal event (${result.error.issues[0]?.message})`, {
        hint: 'the journal was edited or written by a newer drc',
      });
    }
    events.push(result.data);
  });
  return events;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { redact } from '../config/secrets.js';

/**
 * The write-ahead journal of a restore, drill or verify --deep: every step that changes a
 * database server is appended and fsynced BEFORE it runs. A drc killed at any moment leaves a
 * journal that says exactly what may be half-done; the next drc command reads it and finishes
 * or undoes the work (see recover-restore.ts). A journal that reached its end is deleted.
 */
const savedTrigger = z.object({ name: z.string(), table: z.string(), statement: z.string() });
export type SavedTrigger = z.infer<typeof savedTrigger>;

export const STEPS = [
  'create-scratch',
  // PostgreSQL whole-database swap
  'block-connections',
  'rename-databases',
  // MySQL/MariaDB swap (whole database or one table)
  'create-before',
  'drop-live-triggers',
  'rename-tables',
  'put-restored-triggers',
  // PostgreSQL one-table swap: one transaction, nothing to recover half-way
  'replace-table',
  'done',
] as const;
export type StepName = (typeof STEPS)[number];

const beginEntry = z.object({
  type: z.literal('begin'),
  kind: z.enum(['restore', 'drill', 'verify']),
  engine: z.enum(['PostgreSQL', 'MySQL/MariaDB']),
  source: z.string(),
  live: z.string(),
  scratch: z.string(),
  before: z.string().optional(),
  pid: z.number(),
  at: z.string(),
});

const stepEntry = z.object({
  type: z.literal('step'),
  step: z.enum(STEPS),
  at: z.string(),
  /** drop-live-triggers: the definitions about to be dropped; rename-tables: what moves and the backup's triggers. */
  triggers: z.array(savedTrigger).optional(),
  outgoing: z.array(z.string()).optional(),
  incoming: z.array(z.string()).optional(),
  liveExisted: z.boolean().optional(),
});

export type JournalBegin = z.infer<typeof beginEntry>;
export type JournalStep = z.infer<typeof stepEntry>;
export interface JournalFile {
  file: string;
  begin: JournalBegin;
  steps: JournalStep[];
}

/** What engines call before each server-changing step. */
export interface RestoreJournal {
  readonly file: string;
  step(step: StepName, data?: Omit<JournalStep, 'type' | 'step' | 'at'>): Promise<void>;
  /** The work reached a consistent end (done, or cleanly undone): nothing to recover. */
  close(): Promise<void>;
}

/** For engine calls outside a restore (tests, library use). */
export const noJournal: RestoreJournal = { file: '', step: async () => {}, close: async () => {} };

export function journalDir(stateDir: string): string {
  return path.join(stateDir, 'restores');
}

export async function openRestoreJournal(stateDir: string, begin: Omit<JournalBegin, 'type' | 'pid' | 'at'>): Promise<RestoreJournal> {
  const dir = journalDir(stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Database names may hold any character (even "/"): the file is named by a digest of it.
  const file = path.join(dir, `${begin.source}-${createHash('sha256').update(begin.scratch).digest('hex').slice(0, 16)}.jsonl`);
  await append(file, { type: 'begin', ...begin, pid: process.pid, at: new Date().toISOString() }, 'wx');
  await syncFolder(dir);
  let closed = false;
  return {
    file,
    async step(step, data = {}) {
      await append(file, { type: 'step', step, at: new Date().toISOString(), ...data });
      await pauseForTests(step);
    },
    async close() {
      if (closed) return;
      closed = true;
      await unlink(file).catch(() => {});
    },
  };
}

export async function hasRestoreJournals(stateDir: string): Promise<boolean> {
  return (await readdir(journalDir(stateDir)).catch(() => [] as string[])).some((name) => name.endsWith('.jsonl'));
}

export async function readRestoreJournals(stateDir: string): Promise<JournalFile[]> {
  const dir = journalDir(stateDir);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.jsonl')).sort();
  const journals: JournalFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const entries = lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as unknown];
      } catch {
        return []; // a torn last line: the step it announced never started
      }
    });
    const begin = beginEntry.safeParse(entries[0]);
    if (!begin.success) continue;
    const steps = entries.slice(1).flatMap((entry) => {
      const parsed = stepEntry.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
    journals.push({ file, begin: begin.data, steps });
  }
  return journals;
}

export async function removeJournal(journal: JournalFile): Promise<void> {
  await unlink(journal.file).catch(() => {});
}

async function append(file: string, entry: object, flags = 'a'): Promise<void> {
  const handle = await open(file, flags, 0o600);
  try {
    await handle.writeFile(redact(JSON.stringify(entry)) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  await handle.sync().catch(() => {});
  await handle.close();
}

/**
 * Test hook: with DRC_TEST_PAUSE_AT=<step> and DRC_TEST_PAUSE_FILE=<path>, drc writes the file
 * once that step is journaled (before it runs) and waits there until the file is removed, so a
 * test can SIGKILL it at exactly that point. Unset in production: a no-op.
 */
async function pauseForTests(step: StepName): Promise<void> {
  const at = process.env.DRC_TEST_PAUSE_AT;
  const marker = process.env.DRC_TEST_PAUSE_FILE;
  if (!at || !marker || at !== step) return;
  await writeFile(marker, `${process.pid} ${step}\n`);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (!(await readFile(marker).then(() => true, () => false))) return;
  }
}

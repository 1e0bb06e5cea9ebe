import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { redact } from '../config/secrets.js';

/**
 * Append-only records of what drc did, kept in the state folder so `drc status`, the TUI and
 * monitoring can say when the last backup, verification and drill ran and how they went.
 * One JSON object per line: a crash mid-write loses at most the line being written.
 */
const backupRecord = z.object({
  kind: z.literal('backup'),
  at: z.string(),
  setId: z.string().optional(),
  /** refused: nothing was tried (another backup was running, bad selection); status ignores it. */
  status: z.enum(['complete', 'partial', 'failed', 'refused']),
  exitCode: z.number(),
  error: z.string().optional(),
  durationMs: z.number(),
  sources: z.array(z.object({ source: z.string(), ok: z.boolean(), storedBytes: z.number().optional(), error: z.string().optional() })),
  targets: z.array(z.object({ target: z.string(), ok: z.boolean(), error: z.string().optional() })),
});

const verifyRecord = z.object({
  kind: z.literal('verify'),
  at: z.string(),
  setId: z.string(),
  target: z.string(),
  deep: z.boolean(),
  ok: z.boolean(),
  durationMs: z.number(),
  problems: z.array(z.string()),
});

const drillRecord = z.object({
  kind: z.literal('drill'),
  at: z.string(),
  source: z.string(),
  setId: z.string().optional(),
  ok: z.boolean(),
  /** Time from drill start to a verified restore. */
  rtoMs: z.number().optional(),
  /** Age of the restored set at drill start. */
  rpoMs: z.number().optional(),
  objectives: z.object({ rtoMs: z.number().optional(), rpoMs: z.number().optional() }),
  problems: z.array(z.string()),
});

const restoreRecord = z.object({
  kind: z.literal('restore'),
  at: z.string(),
  source: z.string(),
  setId: z.string(),
  into: z.string().optional(),
  table: z.string().optional(),
  ok: z.boolean(),
  durationMs: z.number(),
  error: z.string().optional(),
});

/** One `drc archive` pass over one source (each --follow round is one). */
const archiveRecord = z.object({
  kind: z.literal('archive'),
  at: z.string(),
  source: z.string(),
  ok: z.boolean(),
  archived: z.array(z.string()),
  skipped: z.number(),
  /** Files the server purged before they were archived, in words. */
  gaps: z.array(z.string()),
  durationMs: z.number(),
  error: z.string().optional(),
});

export const historyRecordSchemas = { backup: backupRecord, verify: verifyRecord, drill: drillRecord, restore: restoreRecord, archive: archiveRecord };
export type ArchiveRecord = z.infer<typeof archiveRecord>;
export type BackupRecord = z.infer<typeof backupRecord>;
export type VerifyRecord = z.infer<typeof verifyRecord>;
export type DrillRecord = z.infer<typeof drillRecord>;
export type RestoreRecord = z.infer<typeof restoreRecord>;
type HistoryKind = keyof typeof historyRecordSchemas;
type RecordOf<K extends HistoryKind> = z.infer<(typeof historyRecordSchemas)[K]>;

function historyFile(stateDir: string, kind: HistoryKind): string {
  return path.join(stateDir, 'history', `${kind}s.jsonl`);
}

export async function appendHistory<K extends HistoryKind>(stateDir: string, record: RecordOf<K> & { kind: K }): Promise<void> {
  const file = historyFile(stateDir, record.kind);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, redact(JSON.stringify(record)) + '\n', { mode: 0o600 });
}

/** Oldest first; lines that do not parse (a torn last line after a crash) are skipped. */
export async function readHistory<K extends HistoryKind>(stateDir: string, kind: K): Promise<Array<RecordOf<K>>> {
  let text: string;
  try {
    text = await readFile(historyFile(stateDir, kind), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const schema = historyRecordSchemas[kind];
  const records: Array<RecordOf<K>> = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = schema.safeParse(JSON.parse(line));
      if (parsed.success) records.push(parsed.data as RecordOf<K>);
    } catch {
      // torn line
    }
  }
  return records;
}

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { confineSegment } from '../archive/index.js';
import type { ServerBinlog } from './server.js';

/**
 * The server's current binlog right after drc's last FLUSH BINARY LOGS, and its GTID position:
 * the same file and GTID position mean no transaction was written since. (The file's size alone
 * is not enough: MariaDB appends a binlog checkpoint event some time after a flush.)
 */
export interface FlushMark extends ServerBinlog {
  gtid?: string | undefined;
}

function markFile(stateDir: string, source: string): string {
  return path.join(stateDir, 'archive', `${confineSegment(source, 'source')}.flushed.json`);
}

export async function readFlushMark(stateDir: string, source: string): Promise<FlushMark | undefined> {
  try {
    const parsed = JSON.parse(await readFile(markFile(stateDir, source), 'utf8')) as Partial<FlushMark>;
    if (typeof parsed.name !== 'string' || typeof parsed.bytes !== 'number') return undefined;
    return { name: parsed.name, bytes: parsed.bytes, ...(typeof parsed.gtid === 'string' ? { gtid: parsed.gtid } : {}) };
  } catch {
    return undefined;
  }
}

export async function writeFlushMark(stateDir: string, source: string, current: FlushMark | undefined): Promise<void> {
  if (!current) return;
  const file = markFile(stateDir, source);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(`${file}.tmp`, JSON.stringify(current), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** Whether a transaction reached the binlog since the mark (by GTID where both sides have one). */
export function writtenSince(mark: FlushMark | undefined, current: FlushMark | undefined): boolean {
  if (!current || !mark || current.name !== mark.name) return true;
  if (mark.gtid !== undefined && current.gtid !== undefined) return mark.gtid !== current.gtid;
  return current.bytes !== mark.bytes;
}

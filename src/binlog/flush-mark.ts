import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { confineSegment } from '../archive/index.js';
import type { ServerBinlog } from './server.js';

/** The server's current binlog right after drc's last FLUSH BINARY LOGS: unchanged means nothing was written since. */
function markFile(stateDir: string, source: string): string {
  return path.join(stateDir, 'archive', `${confineSegment(source, 'source')}.flushed.json`);
}

export async function readFlushMark(stateDir: string, source: string): Promise<ServerBinlog | undefined> {
  try {
    const parsed = JSON.parse(await readFile(markFile(stateDir, source), 'utf8')) as Partial<ServerBinlog>;
    return typeof parsed.name === 'string' && typeof parsed.bytes === 'number' ? { name: parsed.name, bytes: parsed.bytes } : undefined;
  } catch {
    return undefined;
  }
}

export async function writeFlushMark(stateDir: string, source: string, current: ServerBinlog | undefined): Promise<void> {
  if (!current) return;
  const file = markFile(stateDir, source);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(`${file}.tmp`, JSON.stringify(current), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

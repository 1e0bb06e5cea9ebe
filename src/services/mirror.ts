import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DrcError } from '../errors.js';
import { parseSnapshot, type ServiceSnapshot } from './service.js';

/**
 * The local mirror: the newest snapshot of each SaaS source in the state folder, what a team
 * reads while the service is down and what a rebuild pushes from. It holds customer data
 * (bookings, call transcripts): owner-only permissions, written atomically.
 */
export function mirrorPath(stateDir: string, sourceName: string): string {
  return path.join(stateDir, 'mirror', `${sourceName}.json`);
}

export async function saveMirror(stateDir: string, snapshot: ServiceSnapshot): Promise<string> {
  const dir = path.join(stateDir, 'mirror');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = mirrorPath(stateDir, snapshot.source);
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(snapshot, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new DrcError(`mirror ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'check that the state folder exists and is writable by the user running drc',
      cause: error,
    });
  }
  return file;
}

export async function loadMirror(stateDir: string, sourceName: string, type: 'calcom' | 'retell'): Promise<ServiceSnapshot> {
  const file = mirrorPath(stateDir, sourceName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DrcError(
      code === 'ENOENT' ? `no mirror of ${sourceName} yet (${file})` : `mirror ${file}: cannot read it (${code ?? 'error'})`,
      { hint: code === 'ENOENT' ? `run "drc sync pull ${sourceName}" while the service is up` : 'check the permissions of the state folder' },
    );
  }
  return parseSnapshot(type, text, `mirror ${file}`);
}

import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DrcError, EXIT } from '../errors.js';

export interface Lock {
  release(): Promise<void>;
}

export interface LockOwner {
  pid: number;
  startedAt: string;
  command: string;
  /** What the holder works on, when others need to know (the set a restore is reading). */
  subject?: string;
}

/** The stateful operations that never run twice at once; per-source ones take the source name. */
export type LockName = 'backup' | 'drill' | 'prune' | 'verify-deep' | `restore-${string}` | `archive-${string}` | `reading-${string}` | `recover-${string}`;

/**
 * One holder at a time per lock name and state folder: an O_EXCL lock file holding the owner's
 * pid and start time. A lock whose process is gone (killed, crashed, rebooted) is taken over.
 * A held lock refuses with exit 1 (WARNING: the other run is doing the work), naming its holder.
 */
export async function acquireLock(stateDir: string, name: LockName, command: string, subject?: string): Promise<Lock> {
  const file = lockFile(stateDir, name);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const owner: LockOwner = { pid: process.pid, startedAt: new Date().toISOString(), command, ...(subject ? { subject } : {}) };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(owner));
      await handle.sync();
      await handle.close();
      return {
        release: async () => {
          const current = await readOwner(file);
          if (current?.pid === process.pid) await unlink(file).catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A lock file just created by another run may not have its content yet: look twice.
    const holder = (await readOwner(file)) ?? (await delay(250).then(() => readOwner(file)));
    if (holder && isAlive(holder.pid)) {
      throw new DrcError(`another "${holder.command}" is running (pid ${holder.pid}, started ${holder.startedAt})`, {
        exitCode: EXIT.warning,
        hint: `wait for it to finish; if pid ${holder.pid} is not drc, remove ${file}`,
      });
    }
    // Stale: the holder died without releasing. Remove and retry the exclusive create.
    await unlink(file).catch(() => {});
  }
  throw new DrcError(`cannot take the lock ${file}`, { hint: 'another drc keeps racing for it; try again' });
}

/** The live holder of a lock, if any (a lock left by a dead process counts as free). */
export async function findLockHolder(stateDir: string, name: LockName): Promise<LockOwner | undefined> {
  const holder = await readOwner(lockFile(stateDir, name));
  return holder && isAlive(holder.pid) ? holder : undefined;
}

/** Live holders of every lock whose name starts with `prefix` (e.g. every reader of sets). */
export async function listLockHolders(stateDir: string, prefix: string): Promise<LockOwner[]> {
  const dir = path.join(stateDir, 'locks');
  const names = await readdir(dir).catch(() => [] as string[]);
  const holders: LockOwner[] = [];
  for (const entry of names.filter((file) => file.startsWith(prefix) && file.endsWith('.lock'))) {
    const holder = await readOwner(path.join(dir, entry));
    if (holder && isAlive(holder.pid)) holders.push(holder);
  }
  return holders;
}

function lockFile(stateDir: string, name: LockName): string {
  // Source names are confined by the config schema; set ids by their own pattern. Belt and braces:
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.includes('..')) throw new DrcError(`invalid lock name "${name}"`);
  return path.join(stateDir, 'locks', `${name}.lock`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

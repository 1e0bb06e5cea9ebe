import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DrcError, EXIT } from '../errors.js';

export interface Lock {
  release(): Promise<void>;
}

interface LockOwner {
  pid: number;
  startedAt: string;
  command: string;
}

/**
 * One run at a time per state folder: an O_EXCL lock file holding the owner's pid and start
 * time. A lock whose process is gone (killed, crashed, rebooted) is taken over.
 */
export async function acquireLock(stateDir: string, name: string, command: string): Promise<Lock> {
  const dir = path.join(stateDir, 'locks');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${name}.lock`);
  const owner: LockOwner = { pid: process.pid, startedAt: new Date().toISOString(), command };
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

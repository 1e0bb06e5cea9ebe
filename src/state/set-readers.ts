import { DrcError, EXIT } from '../errors.js';
import type { Emit } from '../events.js';
import { acquireLock, findLockHolder, listLockHolders, type Lock } from './lock.js';

const READING = 'reading-';
const PRUNE_WAIT_MS = 10 * 60_000;

/**
 * Reads a set under protection from prune: the set is resolved, a reader lock naming it is
 * taken, and only then is prune looked at. Prune takes its own lock before it lists readers, so
 * one of the two always sees the other: either prune keeps the set, or the reader waits for
 * prune to finish and resolves the set again (it may have been removed: then "latest" moves on).
 */
export async function holdSetForReading<T extends { id: string }>(
  stateDir: string,
  command: string,
  resolve: () => Promise<T>,
  emit?: Emit,
): Promise<{ resolved: T; lock: Lock }> {
  const deadline = Date.now() + PRUNE_WAIT_MS;
  for (;;) {
    await waitForPrune(stateDir, deadline, emit);
    const resolved = await resolve();
    const lock = await acquireLock(stateDir, `${READING}${resolved.id}-${process.pid}`, command, resolved.id);
    if (!(await findLockHolder(stateDir, 'prune'))) return { resolved, lock };
    await lock.release();
  }
}

/** Set ids that a live drc is reading right now, with who reads them: prune keeps these. */
export async function findSetsBeingRead(stateDir: string): Promise<Map<string, string>> {
  const readers = new Map<string, string>();
  for (const holder of await listLockHolders(stateDir, READING)) {
    if (holder.subject) readers.set(holder.subject, `being read by ${holder.command} (pid ${holder.pid})`);
  }
  return readers;
}

async function waitForPrune(stateDir: string, deadline: number, emit?: Emit): Promise<void> {
  let told = false;
  for (;;) {
    const holder = await findLockHolder(stateDir, 'prune');
    if (!holder) return;
    if (Date.now() > deadline) {
      throw new DrcError(`a prune (pid ${holder.pid}, started ${holder.startedAt}) is still deleting sets`, {
        exitCode: EXIT.warning,
        hint: 'run this again when it has finished',
      });
    }
    if (!told) emit?.({ type: 'log', level: 'info', message: `waiting for the running prune (pid ${holder.pid}) to finish before reading a set` });
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

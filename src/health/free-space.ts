import { statfs } from 'node:fs/promises';
import path from 'node:path';

export interface FreeSpace {
  bytes: number;
  /** Where the number came from, shown in status: "statfs /var/backups" or the override. */
  source: string;
}

/** Free bytes for a folder; undefined when it cannot be measured. */
export type FreeSpaceProbe = (dir: string) => Promise<FreeSpace | undefined>;

/**
 * Measures free space with statfs (blocks available to the unprivileged user, like `df`).
 * `DRC_TEST_FREE_BYTES=<bytes>` replaces the measurement for every local target: it exists so
 * tests and people can check how `drc status` reacts to a full disk without filling one, and
 * status names it as the source of the number so it can never pass unnoticed.
 */
export function createFreeSpaceProbe(env: NodeJS.ProcessEnv = process.env): FreeSpaceProbe {
  const override = env.DRC_TEST_FREE_BYTES;
  if (override !== undefined && /^\d+$/.test(override.trim())) {
    const bytes = Number(override.trim());
    return async () => ({ bytes, source: 'DRC_TEST_FREE_BYTES' });
  }
  return measureFreeSpace;
}

async function measureFreeSpace(dir: string): Promise<FreeSpace | undefined> {
  // The target folder may not exist yet (no backup so far): measure the disk it will be on.
  let current = path.resolve(dir);
  for (;;) {
    try {
      const stats = await statfs(current);
      return { bytes: Number(stats.bavail) * Number(stats.bsize), source: `statfs ${current}` };
    } catch (error) {
      const parent = path.dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) return undefined;
      current = parent;
    }
  }
}

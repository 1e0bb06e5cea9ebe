import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { DrcError } from '../errors.js';

/** Atomic, 0600, never over an existing config without --force. Returns where it went. */
export async function writeConfig(config: Config, file: string | undefined, force: boolean): Promise<string> {
  if (file) {
    if (!force && existsSync(file)) throw new DrcError(`${file} exists`, { hint: 'pass --force to overwrite it (or move it away)' });
    await mkdir(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    await writeFile(`${file}.tmp`, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    return path.resolve(file);
  }
  const { openConfigStore } = await import('../config/load.js');
  const store = openConfigStore();
  if (store.has('sources') && !force) throw new DrcError(`the conf store ${store.path} already holds a config`, { hint: 'pass --force to overwrite it' });
  store.store = config as unknown as Record<string, unknown>;
  return store.path;
}

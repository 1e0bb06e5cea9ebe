import { Readable } from 'node:stream';
import type { Config } from '../config/schema.js';
import { collectInventory } from '../inventory/collect.js';
import { CONFIG_ITEM, SYSTEM_ITEM } from '../sets/meta-items.js';
import type { BackupSource } from './types.js';

/**
 * The drc config as an item of the set. It holds no secrets (only the names of the env vars
 * and files that do), and it is what `drc init --from` needs on a machine that has nothing.
 */
export function createConfigSource(config: Config): BackupSource {
  return fromJson(CONFIG_ITEM, 'config', async () => config);
}

/** The system inventory (`drc show-system`): OS, packages, services, owners, versions. */
export function createSystemSource(config: Config): BackupSource {
  return fromJson(SYSTEM_ITEM, 'system', () => collectInventory(config));
}

function fromJson(name: string, type: 'config' | 'system', produce: () => Promise<unknown>): BackupSource {
  return {
    name,
    type,
    extension: 'json',
    open: async () => {
      const data = Buffer.from(JSON.stringify(await produce(), null, 2) + '\n');
      return {
        stream: Readable.from([data]),
        finish: async () => ({}),
        abort() {},
      };
    },
  };
}

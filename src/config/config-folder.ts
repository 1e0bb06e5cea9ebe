import path from 'node:path';
import type { LoadedConfig } from './parse.js';

/** Relative entries of config.playbooks are relative to the config file. */
export function configFolder(loaded: LoadedConfig): string {
  return path.isAbsolute(loaded.origin) ? path.dirname(loaded.origin) : process.cwd();
}

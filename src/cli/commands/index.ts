import type { Command } from 'commander';
import { registerBackup } from './backup.js';
import { registerInit } from './init.js';
import { registerSync } from './sync.js';

/** One file per command; each adds itself to the program here. */
export function registerCommands(program: Command): void {
  registerInit(program);
  registerBackup(program);
  registerSync(program);
}

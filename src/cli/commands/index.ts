import type { Command } from 'commander';
import { registerBackup } from './backup.js';
import { registerInit } from './init.js';
import { registerRestore } from './restore.js';
import { registerBackups } from './backups.js';
import { registerVerify } from './verify.js';
import { registerDrill } from './drill.js';
import { registerPrune } from './prune.js';
import { registerSchedule } from './schedule.js';
import { registerStatus } from './status.js';
import { registerSync } from './sync.js';
import { registerIncidents } from './incidents.js';
import { registerPlaybooks } from './playbooks.js';
import { registerPostmortem } from './postmortem.js';
import { registerResume } from './resume.js';
import { registerRun } from './run.js';
import { registerDemo } from './demo.js';
import { registerWal } from './wal.js';
import { registerShowSystem } from './show-system.js';
import { registerArchive } from './archive.js';
import { registerBinlog } from './binlog.js';

/** One file per command; each adds itself to the program here. */
export function registerCommands(program: Command): void {
  registerInit(program);
  registerBackup(program);
  registerRestore(program);
  registerBackups(program);
  registerVerify(program);
  registerDrill(program);
  registerPrune(program);
  registerStatus(program);
  registerSchedule(program);
  registerSync(program);
  registerRun(program);
  registerResume(program);
  registerIncidents(program);
  registerPostmortem(program);
  registerPlaybooks(program);
  registerDemo(program);
  registerWal(program);
  registerShowSystem(program);
  registerArchive(program);
  registerBinlog(program);
}

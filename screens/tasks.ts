import type { LoadedConfig } from '../src/config/load.js';
import { runDrill } from '../src/drill/run-drill.js';
import { runRestore } from '../src/restore/run-restore.js';
import { runVerify } from '../src/verify/run-verify.js';
import type { TaskRun } from './hooks/use-task.js';

/** Checksums of every copy of the set, then a deep check: decrypt, decompress, test-restore. */
export function verifyTask(loaded: LoadedConfig, setId: string): TaskRun {
  return async (emit, signal) => runVerify({ config: loaded.config, stateDir: loaded.stateDir, set: setId, deep: true, emit, signal });
}

/**
 * Restores one source; the engine states its plan (new database first, live one kept) and
 * the task screen asks the person before anything is loaded.
 */
export function restoreTask(loaded: LoadedConfig, setId: string, source: string): TaskRun {
  return async (emit, signal, ask) =>
    runRestore({
      config: loaded.config,
      stateDir: loaded.stateDir,
      set: setId,
      source,
      yes: false,
      emit,
      signal,
      confirm: (plan) => ask(`Restore ${source} from ${setId}?`, plan.split('\n')),
    });
}

export function drillTask(loaded: LoadedConfig): TaskRun {
  return async (emit, signal) => runDrill({ config: loaded.config, stateDir: loaded.stateDir, emit, signal });
}

import type { StepRun } from '../types.js';
import { runBackupAction } from './backup.js';
import { runCheckAction, runWaitAction } from './check.js';
import { runRestoreAction } from './restore.js';
import { runCalcomFallbackAction, runRetellRouteAction } from './phone-routing.js';
import { runSyncAction } from './services.js';
import { runShellStep } from './shell.js';
import type { ActionContext, ActionResult } from './types.js';
import { runVerifyAction } from './verify.js';

export type { ActionContext, ActionResult } from './types.js';

/** Runs what a step runs; throws a DrcError when it fails, the signal's reason when stopped. */
export async function executeRun(run: StepRun, context: ActionContext): Promise<ActionResult> {
  if (run.kind === 'shell') return runShellStep(run.shell, run.script, run.timeoutMs, context);
  const { action } = run;
  switch (action.action) {
    case 'backup':
      return runBackupAction(action, context);
    case 'restore':
      return runRestoreAction(action, context);
    case 'verify':
      return runVerifyAction(action, context);
    case 'check':
      return runCheckAction(action, context);
    case 'wait':
      return runWaitAction(action, context);
    case 'sync':
      return runSyncAction(action, context);
    case 'retell-route':
      return runRetellRouteAction(action, context);
    case 'calcom-fallback':
      return runCalcomFallbackAction(action, context);
  }
}

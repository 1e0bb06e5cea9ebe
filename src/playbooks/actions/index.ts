import type { StepRun } from '../types.js';
import { runBackupAction } from './backup.js';
import { runCheckAction, runWaitAction } from './check.js';
import { runRestoreAction } from './restore.js';
import { runCalcomFallbackAction, runRetellRouteAction } from './phone-routing.js';
import { runSyncAction } from './services.js';
import { runShellStep } from './shell.js';
import type { ActionContext, ActionResult } from './types.js';
import { runVerifyAction } from './verify.js';
import { runInitAction } from './init.js';

export type { ActionContext, ActionResult } from './types.js';

/** Runs what a step runs; throws a DrcError when it fails, the signal's reason when stopped. */
export async function executeRun(run: StepRun, given: ActionContext): Promise<ActionResult> {
  if (run.kind === 'shell') return runShellStep(run.shell, run.script, run.timeoutMs, given);
  const { action } = run;
  const context = action.action === 'init' ? given : await withConfigWrittenSince(given);
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
    case 'init':
      return runInitAction(action, context);
  }
}

/**
 * An incident that started before there was a config (server lost) gets it once a step has
 * written it (`action: init`): later actions load it from DRC_CONFIG or the conf store.
 */
async function withConfigWrittenSince(context: ActionContext): Promise<ActionContext> {
  if (context.config) return context;
  const { loadConfig } = await import('../../config/load.js');
  try {
    return { ...context, config: loadConfig().config };
  } catch {
    return context;
  }
}

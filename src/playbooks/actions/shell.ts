import { DrcError } from '../../errors.js';
import { spawnShell } from './spawn.js';
import { throwIfStopped, type ActionContext, type ActionResult } from './types.js';

/**
 * A step's sh/bash block. It runs with errexit (and pipefail in bash), so a failing command
 * in the middle of a block fails the step instead of being hidden by a later `echo`.
 */
export async function runShellStep(shell: 'sh' | 'bash', script: string, timeoutMs: number, context: ActionContext): Promise<ActionResult> {
  const prelude = shell === 'bash' ? 'set -eo pipefail\n' : 'set -e\n';
  const outcome = await spawnShell(shell, prelude + script, timeoutMs, context);
  throwIfStopped(context.signal);
  if (outcome.stoppedBecause) {
    throw new DrcError(`${shell} block ${outcome.stoppedBecause}`, {
      hint: 'raise the limit with ```sh timeout=30m on the block, or find what hangs in the output above',
    });
  }
  if (outcome.exitCode !== 0) {
    throw new DrcError(`${shell} block exited with code ${outcome.exitCode ?? 'unknown'}`, {
      hint: 'the output above (and the step output file) says why; fix it and retry the step, or skip it with a reason',
    });
  }
  return { detail: 'exit 0' };
}

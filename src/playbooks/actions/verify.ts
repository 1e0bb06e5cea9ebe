import { DrcError, EXIT } from '../../errors.js';
import { runVerify } from '../../verify/run-verify.js';
import type { VerifyAction } from '../schema.js';
import type { ActionContext, ActionResult } from './types.js';

/** `action: verify`: checksums of a set's copies, or with `deep: true` a test restore into a scratch database. */
export async function runVerifyAction(verify: VerifyAction, context: ActionContext): Promise<ActionResult> {
  if (!context.config) throw new DrcError('the verify action needs a config', { hint: 'pass --config PATH' });
  const outcome = await runVerify({ config: context.config, stateDir: context.stateDir, set: verify.set, deep: verify.deep, emit: context.emit, signal: context.signal });
  if (outcome.exitCode === EXIT.critical || !outcome.ok) {
    const problems = [...outcome.copies.flatMap((copy) => copy.problems.map((problem) => `${copy.target}: ${problem}`)), ...outcome.deepProblems];
    throw new DrcError(`set ${outcome.setId} failed verification${problems.length ? `: ${problems.join('; ')}` : ''}`, {
      hint: 'do not restore from it: rerun with an older set (--var set=<id> from "drc backups")',
    });
  }
  return { detail: `set ${outcome.setId} verified${verify.deep ? ' (deep: test-restored)' : ''}` };
}

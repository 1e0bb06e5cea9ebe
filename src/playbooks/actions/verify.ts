import { DrcError } from '../../errors.js';
import type { VerifyAction } from '../schema.js';
import type { ActionContext, ActionResult } from './types.js';

/** `action: verify`: checksums of a set, or with `deep: true` a test restore into a scratch database. */
export async function runVerifyAction(_verify: VerifyAction, _context: ActionContext): Promise<ActionResult> {
  throw new DrcError('verify action not available yet in this drc build', {
    hint: 'run "drc verify" by hand in a shell step for now',
  });
}

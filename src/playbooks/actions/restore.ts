import { DrcError } from '../../errors.js';
import type { RestoreAction } from '../schema.js';
import type { ActionContext, ActionResult } from './types.js';

/** `action: restore`: restores one source from a set; the restored set's time is kept for the achieved RPO. */
export async function runRestoreAction(_restore: RestoreAction, _context: ActionContext): Promise<ActionResult> {
  throw new DrcError('restore action not available yet in this drc build', {
    hint: 'run "drc restore" by hand in a shell step for now',
  });
}

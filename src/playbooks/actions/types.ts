import type { Config } from '../../config/schema.js';
import type { Emit } from '../../events.js';

/** What an action gets from the runner: where to write, what to stop on, whom to tell. */
export interface ActionContext {
  config: Config | undefined;
  stateDir: string;
  /** The playbook's vars, also given to shell commands as environment variables. */
  vars: Record<string, string>;
  /** Extra environment for commands (DRC_INCIDENT_ID, DRC_STEP): lets a resume find leftovers. */
  env: Record<string, string>;
  signal: AbortSignal;
  /** One line of output: written to the step's output file and shown live. */
  line(text: string): void;
  /** Engine events from backup, restore, verify: shown and logged like output. */
  emit: Emit;
  /** A command started; its process group is recorded so a resume can stop what a dead drc left behind. */
  onProcess(pid: number): void;
}

export interface ActionResult {
  detail?: string;
  restored?: { source: string; setId: string; setTime: string };
}

/** Thrown when the runner's signal stopped the action: the step was interrupted, not failed. */
export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}

import { execa } from 'execa';
import { childEnvOptions } from '../../trust/child-env.js';
import { formatDuration } from '../../util/duration.js';
import type { ActionContext } from './types.js';

export interface SpawnOutcome {
  exitCode: number | undefined;
  /** Why drc stopped it: a timeout or the runner's signal. */
  stoppedBecause: string | undefined;
}

const KILL_GRACE_MS = 5000;

/**
 * Runs a shell script in its own process group, streaming its output line by line. On a
 * timeout or an abort the whole group gets SIGTERM, then SIGKILL after a grace period, so
 * `sleep` or `mysql` started by the script stop too and never hold the output open.
 */
export async function spawnShell(shell: 'sh' | 'bash', script: string, timeoutMs: number | undefined, context: ActionContext): Promise<SpawnOutcome> {
  // Only what the step may see: basics, the playbook's vars, the env vars it names; none of drc's secrets.
  const child = execa(shell, ['-c', script], {
    ...childEnvOptions({ ...context.vars, ...context.env }),
    detached: true,
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
  });
  if (child.pid !== undefined) context.onProcess(child.pid);
  let stoppedBecause: string | undefined;
  const stop = (reason: string) => {
    if (stoppedBecause) return;
    stoppedBecause = reason;
    signalGroup(child.pid, 'SIGTERM');
    setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  };
  const timer = timeoutMs ? setTimeout(() => stop(`timed out after ${formatDuration(timeoutMs)}`), timeoutMs) : undefined;
  const onAbort = () => stop(`stopped: ${String(context.signal.reason instanceof Error ? context.signal.reason.message : context.signal.reason)}`);
  if (context.signal.aborted) onAbort();
  else context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const line of child.iterable({ from: 'all' })) context.line(line);
    const result = await child;
    return { exitCode: result.exitCode, stoppedBecause };
  } finally {
    if (timer) clearTimeout(timer);
    context.signal.removeEventListener('abort', onAbort);
  }
}

export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

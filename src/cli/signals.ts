import { startChildWatchdog } from '../util/child-watchdog.js';

/**
 * Runs `work` with an AbortSignal that SIGINT, SIGTERM and SIGHUP abort, so a stopped command
 * cleans up (no half-written set, no scratch database) before it exits.
 *
 * The listeners are `on`, not `once`: execa and Ink load signal-exit, which re-raises a signal
 * when it sees no other listener left, and a `once` listener has removed itself by then, so the
 * process died before the cleanup ran.
 *
 * A SIGKILL runs no handler at all: the child watchdog then ends the tools drc started.
 */
export async function withStopSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  startChildWatchdog();
  const controller = new AbortController();
  const stop = (name: NodeJS.Signals) => controller.abort(new Error(`stopped by ${name}`));
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const name of signals) process.on(name, stop);
  try {
    return await work(controller.signal);
  } finally {
    for (const name of signals) process.off(name, stop);
  }
}

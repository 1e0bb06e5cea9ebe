import { DrcError } from '../errors.js';

/**
 * A per-key request budget: at most `limit` requests in any `windowMs`. Cal.com counts per API
 * key (120/min, then blocks the key for 60 s; apps/api/v2/src/lib/throttler-guard.ts), so drc
 * stays below that on its own instead of running into the block. Budgets are shared by every
 * client of one key in the process: a snapshot and a probe of the same account draw on one.
 */
export interface RateBudget {
  readonly limit: number;
  readonly windowMs: number;
  /** Resolves when a request may go; calls `onWait` first when it has to wait. Rejects when `signal` stops it. */
  take(signal?: AbortSignal, onWait?: (waitMs: number) => void): Promise<void>;
}

export interface RateBudgetSettings {
  limit: number;
  windowMs: number;
}

export function createRateBudget(settings: RateBudgetSettings, now: () => number = Date.now): RateBudget {
  const sent: number[] = [];
  let queue: Promise<void> = Promise.resolve();
  const takeOne = async (signal?: AbortSignal, onWait?: (waitMs: number) => void): Promise<void> => {
    for (;;) {
      const time = now();
      while (sent.length > 0 && sent[0]! <= time - settings.windowMs) sent.shift();
      if (sent.length < settings.limit) {
        sent.push(time);
        return;
      }
      const waitMs = sent[0]! + settings.windowMs - time;
      onWait?.(waitMs);
      await abortableSleep(waitMs, signal);
    }
  };
  return {
    limit: settings.limit,
    windowMs: settings.windowMs,
    take(signal, onWait) {
      // One at a time, in order: concurrent callers must not both see the last free slot.
      const turn = queue.then(() => takeOne(signal, onWait));
      queue = turn.catch(() => {});
      return turn;
    },
  };
}

const shared = new Map<string, RateBudget>();

/** The budget of one key at one API (keyed by a hash the caller makes; the key itself is never stored). */
export function sharedRateBudget(id: string, settings: RateBudgetSettings): RateBudget {
  const key = `${id}:${settings.limit}:${settings.windowMs}`;
  let budget = shared.get(key);
  if (!budget) {
    budget = createRateBudget(settings);
    shared.set(key, budget);
  }
  return budget;
}

/** Sleeps `ms`; a stop signal ends the wait at once with "stopped". */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DrcError('stopped', { cause: signal.reason }));
    if (ms <= 0) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DrcError('stopped', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

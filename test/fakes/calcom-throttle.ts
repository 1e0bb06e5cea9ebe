import type { FakeReply } from './http-fake.js';

/**
 * Cal.com's per-key throttler as the fake plays it, after calcom/cal.com
 * apps/api/v2/src/lib/throttler-guard.ts (CustomThrottlerGuard, @nest-lab/throttler-storage-redis):
 * an API key may send `limit` requests (RATE_LIMIT_DEFAULT_LIMIT_API_KEY = 120) per `ttlMs`
 * (RATE_LIMIT_DEFAULT_TTL_MS = 60 s); the request over the limit blocks the key for `blockMs`
 * (RATE_LIMIT_DEFAULT_BLOCK_DURATION_MS = 60 s). Every answer carries
 * X-RateLimit-Limit-Default, X-RateLimit-Remaining-Default and X-RateLimit-Reset-Default
 * (seconds until the window or the block ends); a 429 is a ThrottlerException and carries no
 * Retry-After. Tests pass small numbers so a block lasts a second, not a minute.
 */
export interface ThrottleSettings {
  limit: number;
  ttlMs: number;
  blockMs: number;
}

export const CALCOM_REAL_THROTTLE: ThrottleSettings = { limit: 120, ttlMs: 60_000, blockMs: 60_000 };

export interface Throttle {
  settings: ThrottleSettings;
  /** 429s answered so far. */
  refused: number;
  /** Counts one request of `key`: headers for the answer, and a 429 reply when over the limit. */
  count(key: string): { reply?: FakeReply; headers: Record<string, string> };
}

export function createThrottle(settings: ThrottleSettings, tooMany: () => FakeReply, now: () => number = Date.now): Throttle {
  const windows = new Map<string, { startedAt: number; hits: number; blockedUntil: number }>();
  const throttle: Throttle = {
    settings,
    refused: 0,
    count(key) {
      const time = now();
      let window = windows.get(key);
      if (!window || (time >= window.startedAt + settings.ttlMs && time >= window.blockedUntil)) {
        window = { startedAt: time, hits: 0, blockedUntil: 0 };
        windows.set(key, window);
      }
      window.hits += 1;
      if (window.blockedUntil <= time && window.hits > settings.limit) window.blockedUntil = time + settings.blockMs;
      const blocked = window.blockedUntil > time;
      const resetMs = blocked ? window.blockedUntil - time : window.startedAt + settings.ttlMs - time;
      const headers = {
        'X-RateLimit-Limit-Default': String(settings.limit),
        'X-RateLimit-Remaining-Default': String(blocked ? 0 : Math.max(0, settings.limit - window.hits)),
        'X-RateLimit-Reset-Default': String(Math.ceil(resetMs / 1000)),
      };
      if (!blocked) return { headers };
      throttle.refused += 1;
      return { headers, reply: tooMany() };
    },
  };
  return throttle;
}

/** For tests about something else: a limit no test reaches (rate limits have their own tests). */
export const UNTHROTTLED: ThrottleSettings = { limit: 1_000_000, ttlMs: 60_000, blockMs: 60_000 };

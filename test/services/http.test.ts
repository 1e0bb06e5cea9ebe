import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrcError } from '../../src/errors.js';
import { createJsonClient, parseRetryAfter, rateLimitWait, type ClientWait } from '../../src/services/http.js';
import { createRateBudget } from '../../src/services/rate-budget.js';
import { startCalcomFake, type CalcomFake } from '../fakes/calcom-server.js';
import { UNTHROTTLED } from '../fakes/calcom-throttle.js';

const API_KEY = 'cal_live_httptest_abcdef0123456789';

describe('the JSON client the service sources use', () => {
  let fake: CalcomFake;
  const client = (overrides: Partial<Parameters<typeof createJsonClient>[0]> = {}) =>
    createJsonClient({ source: 'calcom', baseUrl: fake.url, apiKey: API_KEY, keyOrigin: 'env var CALCOM_API_KEY', baseDelayMs: 1, maxDelayMs: 50, ...overrides });

  beforeAll(async () => {
    fake = await startCalcomFake({ apiKey: API_KEY, bookings: 0, throttle: UNTHROTTLED });
  });
  afterAll(() => fake.close());

  it('retries 429s, waiting as long as Retry-After says (within the cap)', async () => {
    fake.failNext(2, { status: 429, retryAfter: '0' });
    const seen = fake.requests.length;
    const started = Date.now();
    const body = await client().request<{ data: { username: string } }>({ path: '/v2/me' });
    expect(body.data.username).toBe('askproai');
    expect(fake.requests.length - seen).toBe(3);

    fake.failNext(1, { status: 429, retryAfter: '60' });
    await client({ maxRateLimitWaitMs: 100 }).request({ path: '/v2/me' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('retries 500s with backoff and gives up with the status after the last retry', async () => {
    fake.failNext(3, { status: 500 });
    await expect(client({ retries: 3 }).request({ path: '/v2/me' })).resolves.toBeDefined();

    fake.failNext(3, { status: 500 });
    const error = await client({ retries: 2 }).request({ path: '/v2/me' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DrcError);
    expect((error as DrcError).message).toBe('source calcom: GET /v2/me failed with 500 after 3 attempts: Internal server error');
  });

  it('does not resend a create that failed with a 500 (it may have been made), but does after a 429', async () => {
    fake.failNext(1, { status: 500 });
    const created = { title: 'Notfall 10 min', slug: 'notfall-10', lengthInMinutes: 10 };
    const headers = { 'cal-api-version': '2024-06-14' };
    const error = (await client().request({ method: 'POST', path: '/v2/event-types', body: created, headers }).catch((caught: unknown) => caught)) as DrcError;
    expect(error.message).toBe('source calcom: POST /v2/event-types failed with 500: Internal server error');

    fake.failNext(1, { status: 429, retryAfter: '0' });
    await client().request({ method: 'POST', path: '/v2/event-types', body: created, headers });
    expect(fake.state.eventTypes.filter((eventType) => eventType.slug === 'notfall-10')).toHaveLength(1);
  });

  it('names the source and the env var when the key is rejected, and never the key', async () => {
    const error = (await client({ apiKey: 'cal_live_wrong_key_000000' })
      .request({ path: '/v2/me' })
      .catch((caught: unknown) => caught)) as DrcError;
    expect(error.message).toBe('source calcom: API key rejected (401); check env var CALCOM_API_KEY');
    expect(`${error.message} ${error.hint}`).not.toContain('cal_live_wrong_key_000000');
  });

  it('times out a request that never answers', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const error = (await client({ baseUrl: url, timeoutMs: 100, retries: 1 })
        .request({ path: '/v2/me' })
        .catch((caught: unknown) => caught)) as DrcError;
      expect(error.message).toBe(`source calcom: GET /v2/me at ${url}: no answer within 100ms (2 attempts)`);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('reads the wait of a 429 from Retry-After, else X-RateLimit-Reset(-Name), else the 60 s block', () => {
    const settings = { rateLimitBlockMs: 60_000, maxRateLimitWaitMs: 180_000 };
    expect(rateLimitWait(new Headers(), settings)).toEqual({ waitMs: 60_000, basis: 'block time' });
    expect(rateLimitWait(new Headers({ 'X-RateLimit-Reset-Default': '37', 'X-RateLimit-Limit-Default': '120' }), settings)).toEqual({ waitMs: 37_250, basis: 'X-RateLimit-Reset-Default' });
    expect(rateLimitWait(new Headers({ 'X-RateLimit-Reset': '1000000060' }), settings, 1_000_000_000_000)).toEqual({ waitMs: 60_250, basis: 'X-RateLimit-Reset' });
    expect(rateLimitWait(new Headers({ 'Retry-After': '2', 'X-RateLimit-Reset-Default': '37' }), settings)).toEqual({ waitMs: 2_000, basis: 'Retry-After' });
    expect(rateLimitWait(new Headers({ 'X-RateLimit-Reset-Default': '9999' }), settings).waitMs).toBe(180_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('Cal.com rate limits: 429 without Retry-After, per-key budget, stop while waiting', () => {
  const calcomClient = (fake: CalcomFake, overrides: Partial<Parameters<typeof createJsonClient>[0]> = {}) =>
    createJsonClient({ source: 'calcom', baseUrl: fake.url, apiKey: API_KEY, keyOrigin: 'env var CALCOM_API_KEY', baseDelayMs: 1, ...overrides });

  it('waits out the block the throttler reports in X-RateLimit-Reset-Default, and tells why it waits', async () => {
    const fake = await startCalcomFake({ apiKey: API_KEY, bookings: 0, throttle: { limit: 3, ttlMs: 1_000, blockMs: 1_000 } });
    try {
      const waits: ClientWait[] = [];
      const client = calcomClient(fake, { onWait: (wait) => waits.push(wait) });
      for (let i = 0; i < 5; i += 1) await client.request({ path: '/v2/me' });
      expect(fake.throttle.refused).toBe(1);
      const refusal = fake.requests.length - 5;
      expect(refusal).toBe(1);
      expect(waits).toEqual([{ reason: 'rate-limited', waitMs: 1_250, basis: 'X-RateLimit-Reset-Default', what: 'GET /v2/me' }]);
    } finally {
      await fake.close();
    }
  });

  it('keeps under the limit with a per-key budget: no request is refused', async () => {
    const fake = await startCalcomFake({ apiKey: API_KEY, bookings: 0, throttle: { limit: 5, ttlMs: 1_000, blockMs: 60_000 } });
    try {
      const client = calcomClient(fake, { budget: createRateBudget({ limit: 4, windowMs: 1_100 }) });
      for (let i = 0; i < 10; i += 1) await client.request({ path: '/v2/me' });
      expect(fake.throttle.refused).toBe(0);
      expect(fake.requests).toHaveLength(10);
    } finally {
      await fake.close();
    }
  });

  it('stops waiting for a 60 s block as soon as the stop signal comes', async () => {
    const fake = await startCalcomFake({ apiKey: API_KEY, bookings: 0, throttle: { limit: 1, ttlMs: 60_000, blockMs: 60_000 } });
    try {
      const stop = new AbortController();
      const client = calcomClient(fake, { signal: stop.signal, onWait: (wait) => wait.reason === 'rate-limited' && stop.abort(new Error('operator pressed s')) });
      await client.request({ path: '/v2/me' });
      const started = Date.now();
      const error = (await client.request({ path: '/v2/me' }).catch((caught: unknown) => caught)) as DrcError;
      expect(error.message).toBe('source calcom: stopped while waiting to send GET /v2/me');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await fake.close();
    }
  });
});

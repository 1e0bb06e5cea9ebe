import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalcomSourceConfig } from '../../src/config/schema.js';
import { ignoreEvents } from '../../src/events.js';
import type { CalcomSnapshot } from '../../src/services/calcom/types.js';
import type { ClientWait } from '../../src/services/http.js';
import { pendingActions } from '../../src/services/plan.js';
import { createRateBudget } from '../../src/services/rate-budget.js';
import { openSyncService } from '../../src/services/service.js';
import { startCalcomFake, type CalcomFake } from '../fakes/calcom-server.js';

const KEY_ENV = `DRC_TEST_BIG_CALCOM_KEY_${process.pid}`;
const API_KEY = 'cal_live_big_0123456789abcdef0123';

/**
 * A real-shaped Cal.com account (40 event types, 320 bookings, webhooks with string ids) behind
 * a throttler that blocks the key for a minute on the first request over its limit. The
 * limit is Cal.com's 120/min scaled down to 12 per 0.6 s, and drc's budget is its 100/min
 * scaled the same way, so the test takes seconds: if drc ever went over, the 60 s block would
 * show as a refused request (and a test timeout).
 */
describe('a big Cal.com account within the rate limit', () => {
  let fake: CalcomFake;
  let config: CalcomSourceConfig;
  const waits: ClientWait[] = [];
  // One budget for the key, as drc shares it between every client of a key in a process.
  const budget = createRateBudget({ limit: 10, windowMs: 600 });
  const tuning = () => ({ baseDelayMs: 1, budget, onWait: (wait: ClientWait) => waits.push(wait) });

  beforeAll(async () => {
    process.env[KEY_ENV] = API_KEY;
    fake = await startCalcomFake({ apiKey: API_KEY, bookings: 320, extraEventTypes: 37, extraWebhooks: 6, throttle: { limit: 12, ttlMs: 600, blockMs: 60_000 } });
    config = { name: 'calcom', type: 'calcom', apiKeyEnv: KEY_ENV, baseUrl: fake.url };
  });
  afterAll(async () => {
    await fake.close();
    delete process.env[KEY_ENV];
  });

  it('is snapshotted, wiped, rebuilt, and a second push has nothing to do, without one refused request', async () => {
    const snapshot = (await openSyncService(config, tuning()).snapshot()) as CalcomSnapshot;
    expect(snapshot.eventTypes).toHaveLength(40);
    expect(snapshot.bookings).toHaveLength(320);
    expect(snapshot.webhooks).toHaveLength(7);
    expect(snapshot.webhooks.every((webhook) => typeof webhook.id === 'string')).toBe(true);
    const snapshotRequests = fake.requests.length;
    expect(snapshotRequests).toBeGreaterThan(120);

    fake.wipe();
    const service = openSyncService(config, tuning());
    const { plan, apply } = await service.plan(snapshot);
    expect(pendingActions(plan).filter((action) => action.resource === 'event-type')).toHaveLength(40);
    await apply(ignoreEvents);
    expect(fake.state.eventTypes.map((eventType) => eventType.slug).sort()).toEqual(snapshot.eventTypes.map((eventType) => eventType.slug).sort());
    expect(fake.state.webhooks).toHaveLength(8);

    const again = await service.plan(snapshot);
    expect(pendingActions(again.plan)).toEqual([]);
    expect(fake.throttle.refused).toBe(0);
    expect(waits.filter((wait) => wait.reason === 'rate-limited')).toEqual([]);
  });
});

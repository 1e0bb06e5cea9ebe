import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalcomSourceConfig } from '../../src/config/schema.js';
import { ignoreEvents } from '../../src/events.js';
import { pendingActions } from '../../src/services/plan.js';
import { openSyncService } from '../../src/services/service.js';
import { createCalcomSource } from '../../src/sources/calcom.js';
import type { CalcomFake, CalcomFakeState } from '../fakes/calcom-server.js';
import { UNTHROTTLED } from '../fakes/calcom-throttle.js';
import { startCalcomFake } from '../fakes/calcom-server.js';

const KEY_ENV = `DRC_TEST_CALCOM_KEY_${process.pid}`;
const API_KEY = 'cal_live_0123456789abcdef0123456789abcdef';

const byKey = (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) => String(a[key]).localeCompare(String(b[key]));

/** The configuration a person cares about, without the ids the server assigned. */
function configurationOf(state: CalcomFakeState) {
  const scheduleName = (id: unknown) => state.schedules.find((schedule) => schedule.id === id)?.name ?? null;
  const eventTypeSlug = (id: unknown) => state.eventTypes.find((eventType) => eventType.id === id)?.slug;
  return {
    defaultSchedule: scheduleName(state.user.defaultScheduleId),
    schedules: state.schedules.map(({ id: _id, ...rest }) => rest).sort(byKey('name')),
    eventTypes: state.eventTypes
      .map(({ id: _id, scheduleId, ...rest }) => ({ ...rest, schedule: scheduleName(scheduleId) }))
      .sort(byKey('slug')),
    webhooks: state.webhooks
      .map(({ id: _id, eventTypeId, ...rest }) => ({ ...rest, eventType: eventTypeSlug(eventTypeId) ?? null }))
      .sort(byKey('subscriberUrl')),
    ooo: state.ooo.map(({ id: _id, uuid: _uuid, ...rest }) => rest),
    privateLinks: state.privateLinks.map((link) => ({ eventType: eventTypeSlug(link.eventTypeId), maxUsageCount: link.maxUsageCount, expiresAt: link.expiresAt })),
    teamEventTypes: state.teamEventTypes.map(({ id: _id, ...rest }) => rest),
    settings: { timeZone: state.user.timeZone, weekStart: state.user.weekStart, timeFormat: state.user.timeFormat },
  };
}

describe('Cal.com sync against the fake API v2', () => {
  let fake: CalcomFake;
  let config: CalcomSourceConfig;
  const fast = { baseDelayMs: 1, maxDelayMs: 20 };

  beforeAll(async () => {
    process.env[KEY_ENV] = API_KEY;
    fake = await startCalcomFake({ apiKey: API_KEY, throttle: UNTHROTTLED });
    config = { name: 'calcom', type: 'calcom', apiKeyEnv: KEY_ENV, baseUrl: fake.url, requestsPerMinute: 6000 };
  });
  afterAll(async () => {
    await fake.close();
    delete process.env[KEY_ENV];
  });

  it('snapshots profile, schedules, event types, webhooks, teams and every page of bookings', async () => {
    const snapshot = await openSyncService(config, fast).snapshot();
    if (!('eventTypes' in snapshot)) throw new Error('expected a Cal.com snapshot');
    expect(snapshot.profile.username).toBe('askproai');
    expect(snapshot.schedules.map((schedule) => schedule.name)).toEqual(['Geschäftszeiten', 'Samstag']);
    expect(snapshot.schedules[0]!.overrides).toEqual([{ date: '2026-12-24', startTime: '09:00', endTime: '12:00' }]);
    expect(snapshot.eventTypes.find((eventType) => eventType.slug === 'beratung-30')).toMatchObject({ title: 'Beratung 30 min', lengthInMinutes: 30 });
    expect(snapshot.webhooks.map((webhook) => webhook.subscriberUrl)).toEqual(['https://api.askproai.de/api/calcom/webhook']);
    expect(Object.keys(snapshot.eventTypeWebhooks)).toEqual(['beratung-30']);
    expect(snapshot.teams).toHaveLength(1);
    // 120 bookings at 100 per page: the second page must have been read.
    expect(snapshot.bookings).toHaveLength(120);
    const versions = fake.requests.filter((request) => request.path === '/v2/bookings').map((request) => request.headers['cal-api-version']);
    expect(versions).toEqual(['2024-08-13', '2024-08-13']);
  });

  it('rebuilds a wiped account from the snapshot with new ids, and a second push has nothing to do', async () => {
    const before = configurationOf(fake.state);
    const oldIds = fake.state.eventTypes.map((eventType) => eventType.id);
    const service = openSyncService(config, fast);
    const snapshot = await service.snapshot();

    fake.wipe();
    // Someone set the new account up in another time zone: the profile settings come back too.
    fake.state.user.timeZone = 'UTC';
    fake.state.user.weekStart = 'Sunday';
    const first = await service.plan(snapshot);
    expect(pendingActions(first.plan).map((action) => `${action.action} ${action.resource} ${action.key}`)).toEqual([
      'update profile askproai',
      'create schedule Geschäftszeiten',
      'create schedule Samstag',
      'create event-type beratung-30',
      'create event-type erstgespraech-15',
      'create event-type samstag-45',
      'create private-link beratung-30 10 uses',
      'create webhook https://api.askproai.de/api/calcom/webhook',
      'create webhook https://api.askproai.de/api/calcom/beratung',
      'create ooo 2026-12-27..2026-12-31',
      'create team-event-type askproai/team-beratung-60',
      'update default-schedule Geschäftszeiten',
    ]);
    // What the API cannot do is a checklist for a person, in the same plan.
    expect(first.plan.actions.filter((action) => action.action === 'manual').map((action) => `${action.resource}: ${action.changes.join('; ')}`)).toEqual([
      'calendar: connect Google Calendar as termine@askproai.de (Settings → Calendars) and check for conflicts: termine@askproai.de, Feiertage',
      'calendar: write new bookings to termine@askproai.de (google_calendar) (Settings → Calendars → Add to calendar)',
      'conferencing: install and connect google-meet (Apps → Conferencing); event types that use it show no video link until then',
    ]);
    const applied = await first.apply(ignoreEvents);
    expect(applied).toHaveLength(12);

    expect(configurationOf(fake.state)).toEqual(before);
    expect(fake.state.eventTypes.map((eventType) => eventType.id)).not.toEqual(oldIds);
    expect(fake.state.webhooks.every((webhook) => typeof webhook.id === 'string')).toBe(true);

    const second = await service.plan(snapshot);
    expect(pendingActions(second.plan)).toEqual([]);
    expect(second.plan.unchanged).toHaveLength(12);
  });

  it('plans only the difference when someone changed an event type and its schedule', async () => {
    const service = openSyncService(config, fast);
    const snapshot = await service.snapshot();
    const beratung = fake.state.eventTypes.find((eventType) => eventType.slug === 'beratung-30')!;
    beratung.lengthInMinutes = 45;
    beratung.scheduleId = fake.state.schedules.find((schedule) => schedule.name === 'Samstag')!.id;

    const { plan, apply } = await service.plan(snapshot);
    expect(pendingActions(plan)).toEqual([expect.objectContaining({ resource: 'event-type', key: 'beratung-30', action: 'update', changes: ['lengthInMinutes', 'schedule'] })]);
    await apply(ignoreEvents);
    expect(beratung.lengthInMinutes).toBe(30);
    expect(beratung.scheduleId).toBe(fake.state.schedules.find((schedule) => schedule.name === 'Geschäftszeiten')!.id);
  });

  it('is a backup source whose JSON item carries counts per resource', async () => {
    const dump = await createCalcomSource(config).open(new AbortController().signal);
    const chunks: Buffer[] = [];
    for await (const chunk of dump.stream) chunks.push(chunk as Buffer);
    const document = Buffer.concat(chunks);
    const metadata = await dump.finish({ bytes: document.length, head: document.subarray(0, 64), tail: document.subarray(-64) });
    expect(JSON.parse(document.toString('utf8'))).toMatchObject({ format: 'drc-calcom-snapshot/1', source: 'calcom' });
    expect(metadata).toEqual({
      counts: { schedules: 2, eventTypes: 3, webhooks: 2, teams: 1, teamEventTypes: 1, ooo: 1, privateLinks: 1, bookings: 0 },
      serverVersion: 'cal.com api v2',
    });
    expect(document.toString('utf8')).not.toContain(API_KEY);
  });
});

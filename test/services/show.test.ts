import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSyncService, type ServiceSnapshot } from '../../src/services/service.js';
import { formatCsv, formatTable, listResource, serviceResources } from '../../src/services/show.js';
import { startCalcomFake, type CalcomFake } from '../fakes/calcom-server.js';
import { UNTHROTTLED } from '../fakes/calcom-throttle.js';
import { startRetellFake, type RetellFake } from '../fakes/retell-server.js';

const KEY = 'show_test_key_0123456789abcdef';

describe('sync show listings', () => {
  let calcom: CalcomFake;
  let retell: RetellFake;
  const snapshots: Record<'calcom' | 'retell', ServiceSnapshot> = {} as never;

  beforeAll(async () => {
    process.env.DRC_SHOW_TEST_KEY = KEY;
    [calcom, retell] = await Promise.all([startCalcomFake({ apiKey: KEY, bookings: 3, throttle: UNTHROTTLED }), startRetellFake({ apiKey: KEY, calls: 3 })]);
    snapshots.calcom = await openSyncService({ name: 'calcom', type: 'calcom', apiKeyEnv: 'DRC_SHOW_TEST_KEY', baseUrl: calcom.url }).snapshot();
    snapshots.retell = await openSyncService({ name: 'retell', type: 'retell', apiKeyEnv: 'DRC_SHOW_TEST_KEY', baseUrl: retell.url }).snapshot();
  });
  afterAll(async () => {
    await Promise.all([calcom.close(), retell.close()]);
    delete process.env.DRC_SHOW_TEST_KEY;
  });

  it.each([
    ['calcom', ['profile', 'schedules', 'event-types', 'webhooks', 'teams', 'bookings', 'ooo', 'team-event-types']],
    ['retell', ['agents', 'llms', 'knowledge-bases', 'phone-numbers', 'conversation-flows', 'voices', 'calls']],
  ] as const)('lists every %s resource as a table with one row per record', (type, resources) => {
    expect(serviceResources(type)).toEqual(resources);
    for (const resource of resources) {
      const listing = listResource(snapshots[type], resource);
      expect(listing.rows.length, resource).toBe(listing.records.length);
      expect(listing.rows.length, resource).toBeGreaterThan(0);
      for (const row of listing.rows) expect(row).toHaveLength(listing.columns.length);
    }
  });

  it('names the bookings attendees and the calls transcripts, what a team needs during an outage', () => {
    expect(formatTable(listResource(snapshots.calcom, 'bookings'))).toMatch(/bk_0\s+2026-01-05T08:00:00.000Z\s+accepted\s+Beratung 30 min zwischen AskProAI und Kunde 0\s+Kunde 0\s+\+4915102000000/);
    expect(formatTable(listResource(snapshots.retell, 'calls'))).toContain('Agent: Guten Tag, AskProAI. User: Ich möchte eine Beratung buchen (0).');
  });

  it('lists one day of bookings with the callers\' phone numbers, as a table or CSV for a call-back list', () => {
    // Bookings start every 5 hours from 2026-01-05 08:00Z: bk_0 08:00, bk_1 13:00, bk_2 18:00.
    const day = listResource(snapshots.calcom, 'bookings', { from: '2026-01-05T10:00:00Z', to: '2026-01-06' });
    expect(day.rows.map((row) => row[0])).toEqual(['bk_1', 'bk_2']);
    expect(formatCsv(day).split('\r\n')).toEqual([
      'uid,start,status,title,attendees,phone',
      'bk_1,2026-01-05T13:00:00.000Z,accepted,Beratung 30 min zwischen AskProAI und Kunde 1,Kunde 1,+4915102000001',
      'bk_2,2026-01-05T18:00:00.000Z,accepted,Beratung 30 min zwischen AskProAI und Kunde 2,Kunde 2,+4915102000002',
    ]);
    expect(() => listResource(snapshots.calcom, 'bookings', { from: 'yesterday' })).toThrow('--from "yesterday" is not a date');
    expect(() => listResource(snapshots.calcom, 'schedules', { from: '2026-01-05' })).toThrow('--from/--to filter bookings and calls, not schedules');
  });

  it('defuses spreadsheet formulas in CSV cells but keeps phone numbers', () => {
    expect(formatCsv({ columns: ['a', 'b', 'c'], rows: [['=HYPERLINK("x")', '+4930123', 'a,b']] })).toBe('a,b,c\r\n"\'=HYPERLINK(""x"")",+4930123,"a,b"');
  });
});

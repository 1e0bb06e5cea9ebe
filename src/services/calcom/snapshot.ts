import { CALCOM_API_VERSION, collectCalcomPages, type CalcomClient } from './client.js';
import {
  CALCOM_SNAPSHOT_FORMAT,
  type CalcomConfigState,
  type CalcomEventType,
  type CalcomProfile,
  type CalcomSchedule,
  type CalcomSnapshot,
  type CalcomWebhook,
} from './types.js';

export interface CalcomSnapshotOptions {
  /** Days of past bookings to keep; future bookings are always kept. Default: all. */
  bookingsDays?: number;
  now?: Date;
}

/** Everything drc keeps of a Cal.com account: configuration plus the bookings archive. */
export async function fetchCalcomSnapshot(client: CalcomClient, options: CalcomSnapshotOptions = {}): Promise<CalcomSnapshot> {
  const now = options.now ?? new Date();
  const state = await fetchCalcomConfig(client);
  const teams = await client.get<CalcomSnapshot['teams']>('/v2/teams');
  const afterStart = options.bookingsDays ? new Date(now.getTime() - options.bookingsDays * 86_400_000).toISOString() : undefined;
  const bookings = await collectCalcomPages<Record<string, unknown>>(client, '/v2/bookings', {
    version: CALCOM_API_VERSION.bookings,
    query: { afterStart },
  });
  return {
    format: CALCOM_SNAPSHOT_FORMAT,
    source: client.source,
    takenAt: now.toISOString(),
    baseUrl: client.baseUrl,
    ...state,
    teams,
    bookings,
  };
}

/** The configuration only (what a push compares against): no teams, no bookings. */
export async function fetchCalcomConfig(client: CalcomClient): Promise<CalcomConfigState> {
  const profile = await client.get<CalcomProfile>('/v2/me');
  const schedules = await client.get<CalcomSchedule[]>('/v2/schedules', { version: CALCOM_API_VERSION.schedules });
  const listed = await client.get<CalcomEventType[]>('/v2/event-types', { version: CALCOM_API_VERSION.eventTypes });
  // The list may abbreviate; each event type is read in full so a rebuild loses no setting.
  const eventTypes: CalcomEventType[] = [];
  for (const entry of listed) {
    eventTypes.push(await client.get<CalcomEventType>(`/v2/event-types/${entry.id}`, { version: CALCOM_API_VERSION.eventTypes }));
  }
  const webhooks = await collectCalcomPages<CalcomWebhook>(client, '/v2/webhooks');
  const eventTypeWebhooks: Record<string, CalcomWebhook[]> = {};
  for (const eventType of eventTypes) {
    const list = await collectCalcomPages<CalcomWebhook>(client, `/v2/event-types/${eventType.id}/webhooks`);
    if (list.length > 0) eventTypeWebhooks[eventType.slug] = list;
  }
  return { profile, schedules, eventTypes, webhooks, eventTypeWebhooks };
}

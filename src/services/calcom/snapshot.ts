import { DrcError } from '../../errors.js';
import { CALCOM_API_VERSION, collectCalcomPages, type CalcomClient } from './client.js';
import {
  CALCOM_SNAPSHOT_FORMAT,
  type CalcomCalendars,
  type CalcomConferencingApp,
  type CalcomConfigState,
  type CalcomEventType,
  type CalcomOoo,
  type CalcomPrivateLink,
  type CalcomProfile,
  type CalcomSchedule,
  type CalcomSnapshot,
  type CalcomTeam,
  type CalcomTeamEventType,
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
  const afterStart = options.bookingsDays ? new Date(now.getTime() - options.bookingsDays * 86_400_000).toISOString() : undefined;
  const bookings = await collectCalcomPages<Record<string, unknown>>(client, '/v2/bookings', {
    version: CALCOM_API_VERSION.bookings,
    query: { afterStart },
  });
  return { format: CALCOM_SNAPSHOT_FORMAT, source: client.source, takenAt: now.toISOString(), baseUrl: client.baseUrl, ...state, bookings };
}

/**
 * The configuration only (what a push compares against): about 2N+8 requests for N event types,
 * plus one per team. The client's budget keeps them under Cal.com's rate limit.
 */
export async function fetchCalcomConfig(client: CalcomClient): Promise<CalcomConfigState> {
  const profile = await client.get<CalcomProfile>('/v2/me');
  const schedules = await getList<CalcomSchedule>(client, '/v2/schedules', CALCOM_API_VERSION.schedules);
  const listed = await getList<CalcomEventType>(client, '/v2/event-types', CALCOM_API_VERSION.eventTypes);
  // The list may abbreviate; each event type is read in full so a rebuild loses no setting.
  const eventTypes: CalcomEventType[] = [];
  const eventTypeWebhooks: Record<string, CalcomWebhook[]> = {};
  const privateLinks: Record<string, CalcomPrivateLink[]> = {};
  for (const entry of listed) {
    const eventType = await client.get<CalcomEventType>(`/v2/event-types/${entry.id}`, { version: CALCOM_API_VERSION.eventTypes });
    eventTypes.push(eventType);
    const webhooks = await collectCalcomPages<CalcomWebhook>(client, `/v2/event-types/${eventType.id}/webhooks`, { pageSize: 250 });
    if (webhooks.length > 0) eventTypeWebhooks[eventType.slug] = webhooks;
    const links = await getList<CalcomPrivateLink>(client, `/v2/event-types/${eventType.id}/private-links`, CALCOM_API_VERSION.eventTypes);
    if (links.length > 0) privateLinks[eventType.slug] = links;
  }
  const webhooks = await collectCalcomPages<CalcomWebhook>(client, '/v2/webhooks', { pageSize: 250 });
  const ooo = await collectCalcomPages<CalcomOoo>(client, '/v2/me/ooo', { pageSize: 250 });
  const teams = await getList<CalcomTeam>(client, '/v2/teams');
  const teamEventTypes: Record<string, CalcomTeamEventType[]> = {};
  for (const team of teams) {
    const list = await getList<CalcomTeamEventType>(client, `/v2/teams/${team.id}/event-types`, CALCOM_API_VERSION.eventTypes);
    if (list.length > 0) teamEventTypes[team.slug ?? String(team.id)] = list;
  }
  const calendars = await client.get<CalcomCalendars>('/v2/calendars');
  const conferencing = await getList<CalcomConferencingApp>(client, '/v2/conferencing');
  return { profile, schedules, eventTypes, webhooks, eventTypeWebhooks, teams, ooo, privateLinks, teamEventTypes, calendars, conferencing };
}

/**
 * A list endpoint's data, which must be an array: an object here means the request reached an
 * older controller (Cal.com answers the 2024-04-15 shape when cal-api-version is missing).
 */
async function getList<T>(client: CalcomClient, path: string, version?: (typeof CALCOM_API_VERSION)[keyof typeof CALCOM_API_VERSION]): Promise<T[]> {
  const data = await client.get<unknown>(path, version ? { version } : {});
  if (!Array.isArray(data)) {
    throw new DrcError(`source ${client.source}: GET ${path} did not answer a list (cal-api-version ${version ?? 'none'})`, {
      hint: 'Cal.com answered an older API shape; check that baseUrl points at the Cal.com API v2 and that no proxy strips the cal-api-version header',
    });
  }
  return data as T[];
}

import { diffFields, sortedBy, withoutKeys, type PlanAction, type ServicePlan } from '../plan.js';
import { planCalcomManualSteps } from './plan-manual.js';
import type { CalcomConfigState, CalcomEventType, CalcomOoo, CalcomPrivateLink, CalcomSchedule, CalcomTeamEventType, CalcomWebhook } from './types.js';

/**
 * Plans a Cal.com rebuild: the snapshot's configuration against the live account, matched by
 * schedule name, event-type slug, webhook URL, OOO period, team slug + event-type slug. Pure:
 * data in, plan out. Order is dependency order: profile → schedules → event types → private
 * links → webhooks → OOO → team event types → default schedule; then what needs a person
 * (calendar connections, conferencing apps, teams that do not exist).
 */
export interface CalcomAction extends PlanAction {
  resource: 'profile' | 'schedule' | 'event-type' | 'private-link' | 'webhook' | 'ooo' | 'team-event-type' | 'default-schedule' | 'calendar' | 'conferencing' | 'team';
  /** The live resource's id, for updates (webhook ids are strings). */
  liveId?: number | string;
  /** What to send; references to other resources are by name (resolved when applying). */
  body?: Record<string, unknown>;
  /** event-type: the schedule it uses, by name; default-schedule: the schedule to make default. */
  scheduleName?: string | null;
  /** webhook or private link bound to one event type (by slug); absent for the user's own webhooks. */
  eventTypeSlug?: string;
  /** team-event-type: the live team's id. */
  teamId?: number;
}

export type CalcomPlan = ServicePlan<CalcomAction>;

/** Fields the API sets itself; sending them back is refused or meaningless. */
const EVENT_TYPE_OUTPUT_ONLY = ['id', 'ownerId', 'users', 'hosts', 'teamId', 'parentEventTypeId', 'bookingUrl', 'createdAt', 'updatedAt', 'scheduleId'];
const WEBHOOK_OUTPUT_ONLY = ['id', 'userId', 'eventTypeId', 'platformOAuthClientId', 'oAuthClientId', 'createdAt', 'updatedAt'];
const OOO_OUTPUT_ONLY = ['id', 'uuid', 'userId'];
/** The profile settings a push restores (PATCH /v2/me); the rest of /v2/me is the account itself. */
const PROFILE_SETTINGS = ['name', 'timeZone', 'weekStart', 'timeFormat', 'locale'];

export function planCalcomPush(source: string, desired: CalcomConfigState, live: CalcomConfigState): CalcomPlan {
  const actions: CalcomAction[] = [];
  const unchanged: string[] = [];
  const note = (action: CalcomAction) => (action.changes.length === 0 && action.action === 'update' ? unchanged.push(`${action.resource} ${action.key}`) : actions.push(action));

  note(planProfile(desired, live));
  for (const schedule of sortedBy(desired.schedules, (entry) => entry.name)) note(planSchedule(schedule, live.schedules));

  const desiredScheduleNames = scheduleNames(desired.schedules);
  const liveScheduleNames = scheduleNames(live.schedules);
  for (const eventType of sortedBy(desired.eventTypes, (entry) => entry.slug)) {
    note(planEventType(eventType, desiredScheduleNames, live.eventTypes, liveScheduleNames));
  }
  for (const [slug, links] of sortedBy(Object.entries(desired.privateLinks), ([entry]) => entry)) {
    for (const link of links) note(planPrivateLink(slug, link, live.privateLinks[slug] ?? []));
  }

  for (const webhook of sortedBy(desired.webhooks, (entry) => entry.subscriberUrl)) note(planWebhook(webhook, live.webhooks));
  for (const [slug, webhooks] of sortedBy(Object.entries(desired.eventTypeWebhooks), ([entry]) => entry)) {
    for (const webhook of sortedBy(webhooks, (entry) => entry.subscriberUrl)) note({ ...planWebhook(webhook, live.eventTypeWebhooks[slug] ?? []), eventTypeSlug: slug });
  }
  for (const entry of sortedBy(desired.ooo, (ooo) => ooo.start)) note(planOoo(entry, live.ooo));
  for (const [teamSlug, eventTypes] of sortedBy(Object.entries(desired.teamEventTypes), ([entry]) => entry)) {
    const team = live.teams.find((entry) => (entry.slug ?? String(entry.id)) === teamSlug);
    if (!team) {
      note({ resource: 'team', key: teamSlug, action: 'manual', changes: [`team "${teamSlug}" is not in the account: create it and invite its members, then push again (${eventTypes.length} team event types wait for it)`] });
      continue;
    }
    for (const eventType of sortedBy(eventTypes, (entry) => entry.slug)) note(planTeamEventType(teamSlug, team.id, eventType, live.teamEventTypes[teamSlug] ?? []));
  }

  const wantedDefault = defaultScheduleName(desired);
  if (wantedDefault !== undefined) {
    const liveDefault = defaultScheduleName(live);
    note({
      resource: 'default-schedule',
      key: wantedDefault,
      action: 'update',
      changes: liveDefault === wantedDefault ? [] : [`was ${liveDefault ?? 'none'}`],
      scheduleName: wantedDefault,
    });
  }
  for (const action of planCalcomManualSteps(desired, live)) note(action);
  return { source, type: 'calcom', actions, unchanged };
}

function planProfile(desired: CalcomConfigState, live: CalcomConfigState): CalcomAction {
  const body = Object.fromEntries(PROFILE_SETTINGS.filter((key) => desired.profile[key] !== undefined && desired.profile[key] !== null).map((key) => [key, desired.profile[key]]));
  // locale is accepted by PATCH /v2/me but not shown by GET /v2/me: it is sent only when the snapshot has it.
  const changes = diffFields(withoutKeys(body, live.profile.locale === undefined ? ['locale'] : []), live.profile);
  return { resource: 'profile', key: desired.profile.username ?? desired.profile.email ?? 'me', action: 'update', changes, body };
}

function planSchedule(schedule: CalcomSchedule, live: CalcomSchedule[]): CalcomAction {
  const body = { name: schedule.name, timeZone: schedule.timeZone, availability: schedule.availability ?? [], overrides: schedule.overrides ?? [] };
  const match = live.find((entry) => entry.name === schedule.name);
  if (!match) return { resource: 'schedule', key: schedule.name, action: 'create', changes: [], body };
  return { resource: 'schedule', key: schedule.name, action: 'update', changes: diffFields(body, match), liveId: match.id, body };
}

function planEventType(
  eventType: CalcomEventType,
  desiredScheduleNames: Map<number, string>,
  live: CalcomEventType[],
  liveScheduleNames: Map<number, string>,
): CalcomAction {
  const body = withoutKeys(eventType, EVENT_TYPE_OUTPUT_ONLY);
  const scheduleName = eventType.scheduleId ? (desiredScheduleNames.get(eventType.scheduleId) ?? null) : null;
  const match = live.find((entry) => entry.slug === eventType.slug);
  if (!match) return { resource: 'event-type', key: eventType.slug, action: 'create', changes: [], body, scheduleName };
  const changes = diffFields(body, match);
  const liveSchedule = match.scheduleId ? (liveScheduleNames.get(match.scheduleId) ?? null) : null;
  if (liveSchedule !== scheduleName) changes.push('schedule');
  return { resource: 'event-type', key: eventType.slug, action: 'update', changes, liveId: match.id, body, scheduleName };
}

/**
 * A private link is recreated with the same limit (date or uses); its URL is a new random hash,
 * so whoever had the old URL needs the new one. Expired links are not recreated.
 */
function planPrivateLink(slug: string, link: CalcomPrivateLink, live: CalcomPrivateLink[]): CalcomAction {
  const limit = link.expiresAt ? { expiresAt: link.expiresAt } : { maxUsageCount: link.maxUsageCount ?? 1 };
  const key = `${slug} ${link.expiresAt ? `until ${link.expiresAt}` : `${link.maxUsageCount ?? 1} uses`}`;
  const match = live.find((entry) => (link.expiresAt ? entry.expiresAt === link.expiresAt : !entry.expiresAt && entry.maxUsageCount === (link.maxUsageCount ?? 1)));
  if (match) return { resource: 'private-link', key, action: 'update', changes: [], liveId: match.linkId, eventTypeSlug: slug };
  if (link.isExpired) return { resource: 'private-link', key, action: 'update', changes: [], eventTypeSlug: slug };
  return { resource: 'private-link', key, action: 'create', changes: [`new URL replaces ${link.bookingUrl ?? link.linkId}: send it to whoever had the old one`], body: limit, eventTypeSlug: slug };
}

function planWebhook(webhook: CalcomWebhook, live: CalcomWebhook[]): CalcomAction {
  const body = withoutKeys(webhook, WEBHOOK_OUTPUT_ONLY);
  const match = live.find((entry) => entry.subscriberUrl === webhook.subscriberUrl);
  if (!match) return { resource: 'webhook', key: webhook.subscriberUrl, action: 'create', changes: [], body };
  // The signing secret is write-only on most accounts: compare what the API shows back.
  const changes = diffFields(withoutKeys(body, ['secret']), match);
  return { resource: 'webhook', key: webhook.subscriberUrl, action: 'update', changes, liveId: match.id, body };
}

function planOoo(entry: CalcomOoo, live: CalcomOoo[]): CalcomAction {
  const body = withoutKeys(entry, OOO_OUTPUT_ONLY);
  const key = `${entry.start.slice(0, 10)}..${entry.end.slice(0, 10)}`;
  const match = live.find((other) => other.start === entry.start && other.end === entry.end);
  if (!match) return { resource: 'ooo', key, action: 'create', changes: [], body };
  return { resource: 'ooo', key, action: 'update', changes: diffFields(body, match), liveId: match.id, body };
}

/** Hosts are sent as {userId, mandatory, priority}: the names the API adds are output only. */
function planTeamEventType(teamSlug: string, teamId: number, eventType: CalcomTeamEventType, live: CalcomTeamEventType[]): CalcomAction {
  const hosts = (eventType.hosts ?? []).map((host) => withoutKeys(host, ['name', 'username', 'avatarUrl']));
  const body = { ...withoutKeys(eventType, EVENT_TYPE_OUTPUT_ONLY), hosts };
  const key = `${teamSlug}/${eventType.slug}`;
  const match = live.find((entry) => entry.slug === eventType.slug);
  if (!match) return { resource: 'team-event-type', key, action: 'create', changes: [], body, teamId };
  const liveHosts = (match.hosts ?? []).map((host) => withoutKeys(host, ['name', 'username', 'avatarUrl']));
  const changes = diffFields(body, { ...match, hosts: liveHosts });
  return { resource: 'team-event-type', key, action: 'update', changes, liveId: match.id, body, teamId };
}

function scheduleNames(schedules: CalcomSchedule[]): Map<number, string> {
  return new Map(schedules.map((schedule) => [schedule.id, schedule.name]));
}

function defaultScheduleName(state: CalcomConfigState): string | undefined {
  const byProfile = state.schedules.find((schedule) => schedule.id === state.profile.defaultScheduleId);
  return (byProfile ?? state.schedules.find((schedule) => schedule.isDefault))?.name;
}

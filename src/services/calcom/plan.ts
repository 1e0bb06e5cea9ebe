import { diffFields, sortedBy, withoutKeys, type PlanAction, type ServicePlan } from '../plan.js';
import type { CalcomConfigState, CalcomEventType, CalcomSchedule, CalcomWebhook } from './types.js';

/**
 * Plans a Cal.com rebuild: the snapshot's configuration against the live account, matched by
 * schedule name, event-type slug and webhook URL. Pure: data in, plan out.
 * Order is dependency order: schedules → event types → webhooks → default schedule.
 */
export interface CalcomAction extends PlanAction {
  resource: 'schedule' | 'event-type' | 'webhook' | 'default-schedule';
  /** The live resource's id, for updates. */
  liveId?: number;
  /** What to send; references to other resources are by name (resolved when applying). */
  body?: Record<string, unknown>;
  /** event-type: the schedule it uses, by name; default-schedule: the schedule to make default. */
  scheduleName?: string | null;
  /** webhook bound to one event type (by slug); absent for the user's own webhooks. */
  eventTypeSlug?: string;
}

export type CalcomPlan = ServicePlan<CalcomAction>;

/** Fields the API sets itself; sending them back is refused or meaningless. */
const EVENT_TYPE_OUTPUT_ONLY = ['id', 'ownerId', 'users', 'hosts', 'teamId', 'parentEventTypeId', 'bookingUrl', 'createdAt', 'updatedAt', 'scheduleId'];
const WEBHOOK_OUTPUT_ONLY = ['id', 'userId', 'eventTypeId', 'platformOAuthClientId', 'createdAt', 'updatedAt'];

export function planCalcomPush(source: string, desired: CalcomConfigState, live: CalcomConfigState): CalcomPlan {
  const actions: CalcomAction[] = [];
  const unchanged: string[] = [];
  const note = (action: CalcomAction) => (action.changes.length === 0 && action.action === 'update' ? unchanged.push(`${action.resource} ${action.key}`) : actions.push(action));

  for (const schedule of sortedBy(desired.schedules, (entry) => entry.name)) note(planSchedule(schedule, live.schedules));

  const desiredScheduleNames = scheduleNames(desired.schedules);
  const liveScheduleNames = scheduleNames(live.schedules);
  for (const eventType of sortedBy(desired.eventTypes, (entry) => entry.slug)) {
    note(planEventType(eventType, desiredScheduleNames, live.eventTypes, liveScheduleNames));
  }

  for (const webhook of sortedBy(desired.webhooks, (entry) => entry.subscriberUrl)) note(planWebhook(webhook, live.webhooks));
  for (const [slug, webhooks] of sortedBy(Object.entries(desired.eventTypeWebhooks), ([entry]) => entry)) {
    for (const webhook of sortedBy(webhooks, (entry) => entry.subscriberUrl)) note({ ...planWebhook(webhook, live.eventTypeWebhooks[slug] ?? []), eventTypeSlug: slug });
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
  return { source, type: 'calcom', actions, unchanged };
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

function planWebhook(webhook: CalcomWebhook, live: CalcomWebhook[]): CalcomAction {
  const body = withoutKeys(webhook, WEBHOOK_OUTPUT_ONLY);
  const match = live.find((entry) => entry.subscriberUrl === webhook.subscriberUrl);
  if (!match) return { resource: 'webhook', key: webhook.subscriberUrl, action: 'create', changes: [], body };
  // The signing secret is write-only on most accounts: compare what the API shows back.
  const changes = diffFields(withoutKeys(body, ['secret']), match);
  return { resource: 'webhook', key: webhook.subscriberUrl, action: 'update', changes, liveId: match.id, body };
}

function scheduleNames(schedules: CalcomSchedule[]): Map<number, string> {
  return new Map(schedules.map((schedule) => [schedule.id, schedule.name]));
}

function defaultScheduleName(state: CalcomConfigState): string | undefined {
  const byProfile = state.schedules.find((schedule) => schedule.id === state.profile.defaultScheduleId);
  return (byProfile ?? state.schedules.find((schedule) => schedule.isDefault))?.name;
}

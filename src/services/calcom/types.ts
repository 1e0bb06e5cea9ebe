import { z } from 'zod';

/**
 * The Cal.com state drc keeps: what the v2 API returns, stored as returned (unknown fields
 * kept), so a snapshot taken today still rebuilds what the API adds tomorrow.
 */
export const CALCOM_SNAPSHOT_FORMAT = 'drc-calcom-snapshot/1';

const availability = z.looseObject({ days: z.array(z.string()), startTime: z.string(), endTime: z.string() });
const override = z.looseObject({ date: z.string(), startTime: z.string(), endTime: z.string() });

export const calcomScheduleSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  timeZone: z.string(),
  isDefault: z.boolean().optional(),
  availability: z.array(availability).optional(),
  overrides: z.array(override).optional(),
});

export const calcomEventTypeSchema = z.looseObject({
  id: z.number(),
  slug: z.string(),
  title: z.string(),
  lengthInMinutes: z.number(),
  scheduleId: z.number().nullable().optional(),
});

/** Webhook ids are strings in Cal.com (Prisma Webhook.id String); older snapshots hold numbers. */
export const calcomWebhookSchema = z.looseObject({
  id: z.union([z.string(), z.number()]),
  subscriberUrl: z.string(),
  triggers: z.array(z.string()),
  active: z.boolean(),
  payloadTemplate: z.string().nullable().optional(),
});

export const calcomProfileSchema = z.looseObject({
  id: z.number(),
  email: z.string().optional(),
  username: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  timeZone: z.string().optional(),
  weekStart: z.string().optional(),
  timeFormat: z.number().nullable().optional(),
  locale: z.string().nullable().optional(),
  defaultScheduleId: z.number().nullable().optional(),
});

export const calcomOooSchema = z.looseObject({
  id: z.number(),
  start: z.string(),
  end: z.string(),
  notes: z.string().nullable().optional(),
  reason: z.string().nullable().optional(),
  toUserId: z.number().nullable().optional(),
});

/** A private (hashed) booking link: limited by date or by uses. The URL cannot be recreated. */
export const calcomPrivateLinkSchema = z.looseObject({
  linkId: z.string(),
  expiresAt: z.string().nullable().optional(),
  maxUsageCount: z.number().nullable().optional(),
  usageCount: z.number().optional(),
  isExpired: z.boolean().optional(),
  bookingUrl: z.string().optional(),
});

export const calcomTeamSchema = z.looseObject({ id: z.number(), name: z.string(), slug: z.string().nullable().optional() });

const host = z.looseObject({ userId: z.number(), mandatory: z.boolean().optional(), priority: z.string().optional() });

export const calcomTeamEventTypeSchema = z.looseObject({
  id: z.number(),
  slug: z.string(),
  title: z.string(),
  lengthInMinutes: z.number(),
  schedulingType: z.string().nullable().optional(),
  hosts: z.array(host).optional(),
});

/** GET /v2/calendars: connected calendars (OAuth, a person reconnects them) and the destination. */
export const calcomCalendarsSchema = z.looseObject({
  connectedCalendars: z.array(
    z.looseObject({
      integration: z.looseObject({ type: z.string(), title: z.string().optional() }),
      primary: z.looseObject({ externalId: z.string() }).nullable().optional(),
      calendars: z.array(z.looseObject({ externalId: z.string(), name: z.string().nullable().optional(), isSelected: z.boolean().optional() })).optional(),
    }),
  ),
  destinationCalendar: z.looseObject({ integration: z.string(), externalId: z.string() }).nullable().optional(),
});

export const calcomConferencingAppSchema = z.looseObject({ type: z.string(), appId: z.string().nullable().optional() });

export const calcomSnapshotSchema = z.object({
  format: z.literal(CALCOM_SNAPSHOT_FORMAT),
  source: z.string(),
  takenAt: z.string(),
  baseUrl: z.string(),
  profile: calcomProfileSchema,
  schedules: z.array(calcomScheduleSchema),
  eventTypes: z.array(calcomEventTypeSchema),
  /** Webhooks of the user (every event type). */
  webhooks: z.array(calcomWebhookSchema),
  /** Webhooks bound to one event type, keyed by the event type's slug (ids change on rebuild). */
  eventTypeWebhooks: z.record(z.string(), z.array(calcomWebhookSchema)),
  teams: z.array(calcomTeamSchema),
  /** Added in drc 0.x; snapshots from before lack them (then nothing of theirs is pushed). */
  ooo: z.array(calcomOooSchema).default([]),
  /** Private links by the slug of their event type. */
  privateLinks: z.record(z.string(), z.array(calcomPrivateLinkSchema)).default({}),
  /** Team event types (with hosts) by team slug. */
  teamEventTypes: z.record(z.string(), z.array(calcomTeamEventTypeSchema)).default({}),
  calendars: calcomCalendarsSchema.default({ connectedCalendars: [], destinationCalendar: null }),
  conferencing: z.array(calcomConferencingAppSchema).default([]),
  /** Archive only: never pushed back. */
  bookings: z.array(z.looseObject({})),
});

export type CalcomSnapshot = z.infer<typeof calcomSnapshotSchema>;
export type CalcomSchedule = z.infer<typeof calcomScheduleSchema>;
export type CalcomEventType = z.infer<typeof calcomEventTypeSchema>;
export type CalcomWebhook = z.infer<typeof calcomWebhookSchema>;
export type CalcomProfile = z.infer<typeof calcomProfileSchema>;
export type CalcomOoo = z.infer<typeof calcomOooSchema>;
export type CalcomPrivateLink = z.infer<typeof calcomPrivateLinkSchema>;
export type CalcomTeam = z.infer<typeof calcomTeamSchema>;
export type CalcomTeamEventType = z.infer<typeof calcomTeamEventTypeSchema>;
export type CalcomCalendars = z.infer<typeof calcomCalendarsSchema>;
export type CalcomConferencingApp = z.infer<typeof calcomConferencingAppSchema>;

/** What the push planner compares against: the live configuration, without archives. */
export type CalcomConfigState = Pick<
  CalcomSnapshot,
  'profile' | 'schedules' | 'eventTypes' | 'webhooks' | 'eventTypeWebhooks' | 'teams' | 'ooo' | 'privateLinks' | 'teamEventTypes' | 'calendars' | 'conferencing'
>;

export function countCalcomSnapshot(snapshot: CalcomSnapshot): Record<string, number> {
  return {
    schedules: snapshot.schedules.length,
    eventTypes: snapshot.eventTypes.length,
    webhooks: snapshot.webhooks.length + Object.values(snapshot.eventTypeWebhooks).reduce((sum, list) => sum + list.length, 0),
    teams: snapshot.teams.length,
    teamEventTypes: Object.values(snapshot.teamEventTypes).reduce((sum, list) => sum + list.length, 0),
    ooo: snapshot.ooo.length,
    privateLinks: Object.values(snapshot.privateLinks).reduce((sum, list) => sum + list.length, 0),
    bookings: snapshot.bookings.length,
  };
}

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

export const calcomWebhookSchema = z.looseObject({
  id: z.number(),
  subscriberUrl: z.string(),
  triggers: z.array(z.string()),
  active: z.boolean(),
  payloadTemplate: z.string().nullable().optional(),
});

export const calcomProfileSchema = z.looseObject({
  id: z.number(),
  email: z.string().optional(),
  username: z.string().nullable().optional(),
  timeZone: z.string().optional(),
  defaultScheduleId: z.number().nullable().optional(),
});

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
  teams: z.array(z.looseObject({ id: z.number(), name: z.string() })),
  /** Archive only: never pushed back. */
  bookings: z.array(z.looseObject({})),
});

export type CalcomSnapshot = z.infer<typeof calcomSnapshotSchema>;
export type CalcomSchedule = z.infer<typeof calcomScheduleSchema>;
export type CalcomEventType = z.infer<typeof calcomEventTypeSchema>;
export type CalcomWebhook = z.infer<typeof calcomWebhookSchema>;
export type CalcomProfile = z.infer<typeof calcomProfileSchema>;

/** What the push planner compares against: the live configuration, without archives. */
export type CalcomConfigState = Pick<CalcomSnapshot, 'profile' | 'schedules' | 'eventTypes' | 'webhooks' | 'eventTypeWebhooks'>;

export function countCalcomSnapshot(snapshot: CalcomSnapshot): Record<string, number> {
  return {
    schedules: snapshot.schedules.length,
    eventTypes: snapshot.eventTypes.length,
    webhooks: snapshot.webhooks.length + Object.values(snapshot.eventTypeWebhooks).reduce((sum, list) => sum + list.length, 0),
    teams: snapshot.teams.length,
    bookings: snapshot.bookings.length,
  };
}

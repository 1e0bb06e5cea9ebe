import type { CalcomFakeState, Row } from './calcom-server.js';

export interface CalcomSeedOptions {
  /** Bookings of "Beratung 30 min", one every 5 hours from 2026-01-05 08:00 UTC. */
  bookings: number;
  /** Extra generated event types besides the three of AskProAI ("Termin 1 … n"). */
  extraEventTypes: number;
  /** Extra user webhooks besides the two of AskProAI. */
  extraWebhooks: number;
}

/**
 * A voice-booking business as Cal.com answers it: the receptionist agent books "Beratung 30 min"
 * through Cal.com. Shapes follow the v2 output DTOs cited in calcom-server.ts.
 */
export function seedAskPro(state: CalcomFakeState, ids: { number: () => number; webhook: () => string; uuid: () => string }, options: CalcomSeedOptions): void {
  const id = ids.number;
  const weekdays: Row = { id: id(), name: 'Geschäftszeiten', timeZone: 'Europe/Berlin',
    availability: [{ days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'], startTime: '09:00', endTime: '17:00' }],
    overrides: [{ date: '2026-12-24', startTime: '09:00', endTime: '12:00' }] };
  const saturday: Row = { id: id(), name: 'Samstag', timeZone: 'Europe/Berlin',
    availability: [{ days: ['Saturday'], startTime: '10:00', endTime: '14:00' }], overrides: [] };
  state.schedules.push(weekdays, saturday);
  state.user.defaultScheduleId = weekdays.id as number;
  const owner = { ownerId: state.user.id, users: [{ id: state.user.id, username: state.user.username }] };
  const beratung: Row = { id: id(), ...owner, title: 'Beratung 30 min', slug: 'beratung-30', lengthInMinutes: 30,
    description: 'Telefonische Beratung, gebucht über den KI-Empfang', hidden: false, scheduleId: weekdays.id,
    locations: [{ type: 'phone' }], minimumBookingNotice: 120, beforeEventBuffer: 0, afterEventBuffer: 10,
    bookingFields: [{ type: 'phone', slug: 'attendeePhoneNumber', label: 'Telefonnummer', required: true }] };
  const erstgespraech: Row = { id: id(), ...owner, title: 'Erstgespräch 15 min', slug: 'erstgespraech-15', lengthInMinutes: 15,
    description: 'Kurzes Kennenlernen', hidden: false, scheduleId: null, locations: [{ type: 'phone' }], bookingFields: [] };
  const samstag: Row = { id: id(), ...owner, title: 'Samstagstermin 45 min', slug: 'samstag-45', lengthInMinutes: 45,
    description: '', hidden: true, scheduleId: saturday.id, locations: [], bookingFields: [] };
  state.eventTypes.push(beratung, erstgespraech, samstag);
  for (let i = 1; i <= options.extraEventTypes; i += 1) {
    state.eventTypes.push({ id: id(), ...owner, title: `Termin ${i}`, slug: `termin-${i}`, lengthInMinutes: 15 + (i % 4) * 15,
      description: `Generierter Termin ${i}`, hidden: i % 5 === 0, scheduleId: i % 2 === 0 ? saturday.id : weekdays.id, locations: [], bookingFields: [] });
  }
  state.webhooks.push(
    { id: ids.webhook(), userId: state.user.id, subscriberUrl: 'https://api.askproai.de/api/calcom/webhook', active: true,
      triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED', 'BOOKING_RESCHEDULED'], payloadTemplate: null, secret: 'calcom-webhook-signing' },
    { id: ids.webhook(), eventTypeId: beratung.id, subscriberUrl: 'https://api.askproai.de/api/calcom/beratung', active: true,
      triggers: ['BOOKING_CREATED'], payloadTemplate: '{"type":"{{type}}","uid":"{{uid}}"}' },
  );
  for (let i = 1; i <= options.extraWebhooks; i += 1) {
    state.webhooks.push({ id: ids.webhook(), userId: state.user.id, subscriberUrl: `https://hooks.askproai.de/calcom/${i}`, active: i % 2 === 1,
      triggers: ['BOOKING_CREATED'], payloadTemplate: null });
  }
  state.ooo.push({ id: id(), uuid: ids.uuid(), userId: state.user.id, start: '2026-12-27T00:00:00.000Z', end: '2026-12-31T23:59:59.999Z',
    notes: 'Betriebsferien', reason: 'vacation' });
  state.privateLinks.push({ linkId: ids.uuid().slice(0, 12), eventTypeId: beratung.id, isExpired: false, maxUsageCount: 10, usageCount: 2,
    bookingUrl: '' });
  const team: Row = { id: 77, name: 'AskProAI Team', slug: 'askproai', parentId: null, isOrganization: false, timeZone: 'Europe/Berlin', weekStart: 'Monday' };
  state.teams.push(team);
  state.teamEventTypes.push({ id: id(), teamId: team.id, ownerId: null, title: 'Team-Beratung 60 min', slug: 'team-beratung-60', lengthInMinutes: 60,
    description: 'Rundlauf durch das Team', hidden: false, schedulingType: 'roundRobin', locations: [{ type: 'phone' }], bookingFields: [],
    hosts: [{ userId: state.user.id, name: state.user.name, username: state.user.username, mandatory: false, priority: 'medium' }] });
  state.calendars = {
    connectedCalendars: [{
      integration: { type: 'google_calendar', slug: 'google-calendar', title: 'Google Calendar' },
      credentialId: 31,
      primary: { externalId: 'termine@askproai.de', name: 'termine@askproai.de', isSelected: true, readOnly: false },
      calendars: [
        { externalId: 'termine@askproai.de', name: 'termine@askproai.de', isSelected: true, readOnly: false },
        { externalId: 'feiertage@group.calendar.google.com', name: 'Feiertage', isSelected: true, readOnly: true },
      ],
    }],
    destinationCalendar: { id: 5, integration: 'google_calendar', externalId: 'termine@askproai.de', credentialId: 31, name: 'termine@askproai.de' },
  };
  state.conferencing.push({ id: 12, type: 'google_video', appId: 'google-meet', userId: state.user.id, invalid: false });
  for (let i = 0; i < options.bookings; i += 1) {
    const start = new Date(Date.UTC(2026, 0, 5, 8) + i * 3_600_000 * 5);
    const phone = `+49151${String(2000000 + i).padStart(8, '0')}`;
    state.bookings.push({ id: id(), uid: `bk_${i.toString(36)}`, title: `Beratung 30 min zwischen AskProAI und Kunde ${i}`, description: '',
      hosts: [{ id: state.user.id, name: state.user.name, email: state.user.email, username: state.user.username, timeZone: 'Europe/Berlin' }],
      status: i % 17 === 5 ? 'cancelled' : 'accepted', start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString(), duration: 30,
      eventTypeId: beratung.id, eventType: { id: beratung.id, slug: 'beratung-30' }, location: phone, absentHost: false,
      createdAt: new Date(start.getTime() - 86_400_000).toISOString(), updatedAt: new Date(start.getTime() - 86_400_000).toISOString(), metadata: {},
      attendees: [{ name: `Kunde ${i}`, email: `kunde${i}@example.de`, timeZone: 'Europe/Berlin', phoneNumber: phone, language: 'de', absent: false }],
      guests: [], bookingFieldsResponses: { name: `Kunde ${i}`, email: `kunde${i}@example.de`, attendeePhoneNumber: phone } });
  }
}

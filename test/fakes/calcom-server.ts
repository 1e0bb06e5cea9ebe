import { matchPath, startFakeServer, type FakeFailure, type FakeReply, type FakeRequest } from './http-fake.js';

/**
 * A local Cal.com API v2 for tests: Bearer key, the `{status, data}` envelope, `cal-api-version`
 * required on the versioned endpoint families, take/skip pagination, ids assigned by the
 * server, and in-memory state that pushes really change.
 */
type Row = Record<string, unknown> & { id: number };

export interface CalcomFakeState {
  user: Row & { defaultScheduleId: number | null };
  schedules: Row[];
  eventTypes: Row[];
  /** eventTypeId set: bound to that event type; otherwise the user's own. */
  webhooks: Row[];
  teams: Row[];
  bookings: Row[];
}

export interface CalcomFake {
  url: string;
  apiKey: string;
  state: CalcomFakeState;
  requests: Array<{ method: string; path: string; headers: Record<string, string | string[] | undefined> }>;
  failNext(count: number, failure: FakeFailure): void;
  /** Every request answers 503 (or `failure`) until comeBack(): the vendor is down. */
  goDown(failure?: FakeFailure): void;
  comeBack(): void;
  /** Deletes every schedule, event type, webhook and booking (the user stays). */
  wipe(): void;
  close(): Promise<void>;
}

const VERSION = { schedules: '2024-06-11', eventTypes: '2024-06-14', bookings: '2024-08-13' };

export async function startCalcomFake(options: { apiKey: string; seed?: boolean; bookings?: number }): Promise<CalcomFake> {
  let nextId = 1000;
  const id = () => (nextId += 7);
  const state: CalcomFakeState = {
    user: { id: 4711, username: 'askproai', email: 'termine@askproai.de', name: 'AskProAI', timeZone: 'Europe/Berlin', defaultScheduleId: null },
    schedules: [],
    eventTypes: [],
    webhooks: [],
    teams: [],
    bookings: [],
  };
  if (options.seed !== false) seedAskPro(state, id, options.bookings ?? 120);

  const ok = (data: unknown, status = 200): FakeReply => ({ status, body: { status: 'success', data } });
  const fail = (status: number, code: string, message: string): FakeReply => ({
    status,
    body: { status: 'error', timestamp: new Date().toISOString(), error: { code, message } },
  });
  const scheduleOut = (row: Row) => ({ ...row, ownerId: state.user.id, isDefault: row.id === state.user.defaultScheduleId });
  const find = (rows: Row[], key: string | undefined) => rows.find((row) => row.id === Number(key));

  type Route = [method: string, pattern: string, version: string | undefined, handler: (req: FakeRequest, params: Record<string, string>) => FakeReply];
  const routes: Route[] = [
    ['GET', '/v2/me', undefined, () => ok(state.user)],
    ['PATCH', '/v2/me', undefined, (req) => {
      const body = req.body as { defaultScheduleId?: number };
      if (body.defaultScheduleId !== undefined && !find(state.schedules, String(body.defaultScheduleId))) return fail(400, 'BAD_REQUEST', 'defaultScheduleId: no such schedule');
      Object.assign(state.user, body);
      return ok(state.user);
    }],
    ['GET', '/v2/schedules', VERSION.schedules, () => ok(state.schedules.map(scheduleOut))],
    ['POST', '/v2/schedules', VERSION.schedules, (req) => {
      const body = req.body as Record<string, unknown>;
      if (typeof body.name !== 'string' || typeof body.timeZone !== 'string' || typeof body.isDefault !== 'boolean') {
        return fail(400, 'BAD_REQUEST', 'name, timeZone and isDefault are required');
      }
      const { isDefault, ...rest } = body;
      const row: Row = { availability: [], overrides: [], ...rest, id: id() };
      state.schedules.push(row);
      if (isDefault) state.user.defaultScheduleId = row.id;
      return ok(scheduleOut(row), 201);
    }],
    ['GET', '/v2/schedules/:id', VERSION.schedules, (_req, p) => {
      const row = find(state.schedules, p.id);
      return row ? ok(scheduleOut(row)) : fail(404, 'NOT_FOUND', `schedule ${p.id} not found`);
    }],
    ['PATCH', '/v2/schedules/:id', VERSION.schedules, (req, p) => {
      const row = find(state.schedules, p.id);
      if (!row) return fail(404, 'NOT_FOUND', `schedule ${p.id} not found`);
      const { isDefault, ...rest } = req.body as Record<string, unknown>;
      Object.assign(row, rest);
      if (isDefault) state.user.defaultScheduleId = row.id;
      return ok(scheduleOut(row));
    }],
    ['GET', '/v2/event-types', VERSION.eventTypes, () => ok(state.eventTypes)],
    ['POST', '/v2/event-types', VERSION.eventTypes, (req) => {
      const body = req.body as Record<string, unknown>;
      if (typeof body.title !== 'string' || typeof body.slug !== 'string' || typeof body.lengthInMinutes !== 'number') {
        return fail(400, 'BAD_REQUEST', 'title, slug and lengthInMinutes are required');
      }
      if (state.eventTypes.some((row) => row.slug === body.slug)) return fail(409, 'CONFLICT', `event type with slug ${body.slug} already exists`);
      const scheduleError = checkSchedule(body.scheduleId);
      if (scheduleError) return scheduleError;
      const row: Row = {
        description: '', hidden: false, locations: [], bookingFields: [], scheduleId: null,
        ...body, id: id(), ownerId: state.user.id, users: [{ id: state.user.id, username: state.user.username }],
      };
      state.eventTypes.push(row);
      return ok(row, 201);
    }],
    ['GET', '/v2/event-types/:id', VERSION.eventTypes, (_req, p) => {
      const row = find(state.eventTypes, p.id);
      return row ? ok(row) : fail(404, 'NOT_FOUND', `event type ${p.id} not found`);
    }],
    ['PATCH', '/v2/event-types/:id', VERSION.eventTypes, (req, p) => {
      const row = find(state.eventTypes, p.id);
      if (!row) return fail(404, 'NOT_FOUND', `event type ${p.id} not found`);
      const body = req.body as Record<string, unknown>;
      const scheduleError = checkSchedule(body.scheduleId);
      if (scheduleError) return scheduleError;
      Object.assign(row, body, { id: row.id });
      return ok(row);
    }],
    ['GET', '/v2/webhooks', undefined, (req) => ok(page(state.webhooks.filter((row) => row.eventTypeId === undefined), req))],
    ['POST', '/v2/webhooks', undefined, (req) => createWebhook(req, undefined)],
    ['PATCH', '/v2/webhooks/:id', undefined, (req, p) => updateWebhook(req, p.id!)],
    ['GET', '/v2/event-types/:eventTypeId/webhooks', undefined, (req, p) => {
      if (!find(state.eventTypes, p.eventTypeId)) return fail(404, 'NOT_FOUND', `event type ${p.eventTypeId} not found`);
      return ok(page(state.webhooks.filter((row) => row.eventTypeId === Number(p.eventTypeId)), req));
    }],
    ['POST', '/v2/event-types/:eventTypeId/webhooks', undefined, (req, p) => {
      if (!find(state.eventTypes, p.eventTypeId)) return fail(404, 'NOT_FOUND', `event type ${p.eventTypeId} not found`);
      return createWebhook(req, Number(p.eventTypeId));
    }],
    ['PATCH', '/v2/event-types/:eventTypeId/webhooks/:id', undefined, (req, p) => updateWebhook(req, p.id!)],
    ['GET', '/v2/teams', undefined, () => ok(state.teams)],
    ['GET', '/v2/bookings', VERSION.bookings, (req) => {
      const afterStart = req.query.get('afterStart');
      const rows = state.bookings.filter((row) => !afterStart || String(row.start) >= afterStart);
      const take = Number(req.query.get('take') ?? 100);
      const skip = Number(req.query.get('skip') ?? 0);
      const data = rows.slice(skip, skip + take);
      return {
        status: 200,
        body: {
          status: 'success',
          data,
          pagination: {
            totalItems: rows.length,
            remainingItems: Math.max(0, rows.length - skip - data.length),
            returnedItems: data.length,
            itemsPerPage: take,
            currentPage: Math.floor(skip / take) + 1,
            totalPages: Math.ceil(rows.length / take),
            hasNextPage: skip + data.length < rows.length,
            hasPreviousPage: skip > 0,
          },
        },
      };
    }],
  ];

  function checkSchedule(scheduleId: unknown): FakeReply | undefined {
    if (scheduleId === undefined || scheduleId === null) return undefined;
    return find(state.schedules, String(scheduleId)) ? undefined : fail(400, 'BAD_REQUEST', `scheduleId ${String(scheduleId)} does not exist`);
  }
  function createWebhook(req: FakeRequest, eventTypeId: number | undefined): FakeReply {
    const body = req.body as Record<string, unknown>;
    if (typeof body.subscriberUrl !== 'string' || !Array.isArray(body.triggers) || typeof body.active !== 'boolean') {
      return fail(400, 'BAD_REQUEST', 'subscriberUrl, triggers and active are required');
    }
    const row: Row = { payloadTemplate: null, ...body, id: id(), ...(eventTypeId ? { eventTypeId } : { userId: state.user.id }) };
    state.webhooks.push(row);
    return ok(row, 201);
  }
  function updateWebhook(req: FakeRequest, webhookId: string): FakeReply {
    const row = find(state.webhooks, webhookId);
    if (!row) return fail(404, 'NOT_FOUND', `webhook ${webhookId} not found`);
    Object.assign(row, req.body as Record<string, unknown>, { id: row.id });
    return ok(row);
  }

  const server = await startFakeServer({
    apiKey: options.apiKey,
    unauthorized: () => fail(401, 'UNAUTHORIZED', 'Invalid API Key'),
    handle: (req) => {
      for (const [method, pattern, version, handler] of routes) {
        const params = method === req.method ? matchPath(pattern, req.path) : undefined;
        if (!params) continue;
        if (version && req.headers['cal-api-version'] !== version) {
          return fail(400, 'BAD_REQUEST', `this endpoint needs header cal-api-version: ${version}`);
        }
        return handler(req, params);
      }
      return fail(404, 'NOT_FOUND', `Cannot ${req.method} ${req.path}`);
    },
  });

  return {
    url: server.url,
    apiKey: options.apiKey,
    state,
    requests: server.requests,
    failNext: server.failNext,
    goDown: server.goDown,
    comeBack: server.comeBack,
    wipe() {
      state.schedules.length = 0;
      state.eventTypes.length = 0;
      state.webhooks.length = 0;
      state.bookings.length = 0;
      state.user.defaultScheduleId = null;
    },
    close: server.close,
  };
}

function page(rows: Row[], req: FakeRequest): Row[] {
  const take = Number(req.query.get('take') ?? 250);
  const skip = Number(req.query.get('skip') ?? 0);
  return rows.slice(skip, skip + take);
}

/** A voice-booking business: the receptionist agent books "Beratung 30 min" through Cal.com. */
function seedAskPro(state: CalcomFakeState, id: () => number, bookings: number): void {
  const weekdays = { id: id(), name: 'Geschäftszeiten', timeZone: 'Europe/Berlin',
    availability: [{ days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'], startTime: '09:00', endTime: '17:00' }],
    overrides: [{ date: '2026-12-24', startTime: '09:00', endTime: '12:00' }] };
  const saturday = { id: id(), name: 'Samstag', timeZone: 'Europe/Berlin',
    availability: [{ days: ['Saturday'], startTime: '10:00', endTime: '14:00' }], overrides: [] };
  state.schedules.push(weekdays, saturday);
  state.user.defaultScheduleId = weekdays.id;
  const owner = { ownerId: state.user.id, users: [{ id: state.user.id, username: state.user.username }] };
  const beratung = { id: id(), ...owner, title: 'Beratung 30 min', slug: 'beratung-30', lengthInMinutes: 30,
    description: 'Telefonische Beratung, gebucht über den KI-Empfang', hidden: false, scheduleId: weekdays.id,
    locations: [{ type: 'phone' }], minimumBookingNotice: 120, beforeEventBuffer: 0, afterEventBuffer: 10,
    bookingFields: [{ type: 'phone', slug: 'attendeePhoneNumber', label: 'Telefonnummer', required: true }] };
  const erstgespraech = { id: id(), ...owner, title: 'Erstgespräch 15 min', slug: 'erstgespraech-15', lengthInMinutes: 15,
    description: 'Kurzes Kennenlernen', hidden: false, scheduleId: null, locations: [{ type: 'phone' }], bookingFields: [] };
  const samstag = { id: id(), ...owner, title: 'Samstagstermin 45 min', slug: 'samstag-45', lengthInMinutes: 45,
    description: '', hidden: true, scheduleId: saturday.id, locations: [], bookingFields: [] };
  state.eventTypes.push(beratung, erstgespraech, samstag);
  state.webhooks.push(
    { id: id(), userId: state.user.id, subscriberUrl: 'https://api.askproai.de/api/calcom/webhook', active: true,
      triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED', 'BOOKING_RESCHEDULED'], payloadTemplate: null, secret: 'calcom-webhook-signing' },
    { id: id(), eventTypeId: beratung.id, subscriberUrl: 'https://api.askproai.de/api/calcom/beratung', active: true,
      triggers: ['BOOKING_CREATED'], payloadTemplate: '{"type":"{{type}}","uid":"{{uid}}"}' },
  );
  state.teams.push({ id: 77, name: 'AskProAI Team', slug: 'askproai' });
  for (let i = 0; i < bookings; i += 1) {
    const start = new Date(Date.UTC(2026, 0, 5, 8) + i * 3_600_000 * 5);
    state.bookings.push({ id: id(), uid: `bk_${i.toString(36)}`, title: `Beratung 30 min zwischen AskProAI und Kunde ${i}`,
      status: 'accepted', start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString(), duration: 30,
      eventTypeId: beratung.id, attendees: [{ name: `Kunde ${i}`, email: `kunde${i}@example.de`, timeZone: 'Europe/Berlin' }] });
  }
}

import { randomBytes, randomUUID } from 'node:crypto';
import { seedAskPro, type CalcomSeedOptions } from './calcom-seed.js';
import { CALCOM_REAL_THROTTLE, createThrottle, type Throttle, type ThrottleSettings } from './calcom-throttle.js';
import { matchPath, startFakeServer, type FakeFailure, type FakeReply, type FakeRequest } from './http-fake.js';

/**
 * A local Cal.com API v2 for tests, rebuilt from calcom/cal.com apps/api/v2 (files cited at
 * each behaviour): Bearer key, the `{status, data}` envelope, errors as the HttpExceptionFilter
 * writes them, `cal-api-version` choosing the controller (a missing or unknown one falls back to
 * 2024-04-15 and its older shapes), take/skip pagination, string webhook ids, the per-key
 * throttler, and in-memory state that pushes really change.
 */
export type Row = Record<string, unknown>;

export interface CalcomFakeState {
  user: Row & { id: number; defaultScheduleId: number | null };
  schedules: Row[];
  eventTypes: Row[];
  /** eventTypeId set: bound to that event type; otherwise the user's own. Ids are strings. */
  webhooks: Row[];
  ooo: Row[];
  privateLinks: Row[];
  teams: Row[];
  teamEventTypes: Row[];
  calendars: { connectedCalendars: Row[]; destinationCalendar: Row | null };
  conferencing: Row[];
  bookings: Row[];
}

export interface CalcomFake {
  url: string;
  apiKey: string;
  state: CalcomFakeState;
  throttle: Throttle;
  requests: Array<{ method: string; path: string; headers: Record<string, string | string[] | undefined> }>;
  failNext(count: number, failure: FakeFailure): void;
  /** Every request answers 503 (or `failure`) until comeBack(): the vendor is down. */
  goDown(failure?: FakeFailure): void;
  comeBack(): void;
  /** A new account: deletes schedules, event types, webhooks, OOO, links, team event types, bookings, calendars. */
  wipe(): void;
  close(): Promise<void>;
}

export interface CalcomFakeOptions extends Partial<CalcomSeedOptions> {
  apiKey: string;
  seed?: boolean;
  /** The per-key limit; default Cal.com's own (120 per 60 s, 60 s block). */
  throttle?: ThrottleSettings;
}

/** The versions each controller family answers (apps/api/v2/src/lib/api-versions.ts, platform-constants). */
const VERSION = { schedules: '2024-06-11', eventTypes: '2024-06-14', bookings: '2024-08-13' };
/** The fallback when cal-api-version is missing or unknown (apps/api/v2/src/app.ts, enableVersioning extractor). */
const FALLBACK_VERSION = '2024-04-15';

const STATUS_NAMES: Record<number, [exception: string, error: string]> = {
  400: ['BadRequestException', 'Bad Request'],
  401: ['UnauthorizedException', 'Unauthorized'],
  403: ['ForbiddenException', 'Forbidden'],
  404: ['NotFoundException', 'Not Found'],
  429: ['ThrottlerException', 'Too Many Requests'],
  500: ['InternalServerErrorException', 'Internal Server Error'],
  502: ['BadGatewayException', 'Bad Gateway'],
  503: ['ServiceUnavailableException', 'Service Unavailable'],
};

/**
 * The error body of apps/api/v2/src/filters/http-exception.filter.ts: status "error",
 * timestamp, path, and error {code: the exception's name, message, details: getResponse()}.
 */
export function calcomErrorBody(status: number, message: string, path: string): Row {
  const [code, error] = STATUS_NAMES[status] ?? ['HttpException', 'Error'];
  return { status: 'error', timestamp: new Date().toISOString(), path, error: { code, message, details: { message, error, statusCode: status } } };
}

export async function startCalcomFake(options: CalcomFakeOptions): Promise<CalcomFake> {
  let nextId = 1000;
  const ids = {
    number: () => (nextId += 7),
    // Webhook ids are Prisma string ids (schema.prisma: Webhook.id String @id @unique), served as is.
    webhook: () => randomBytes(5).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x').slice(0, 7),
    uuid: () => randomUUID(),
  };
  const state: CalcomFakeState = {
    user: { id: 4711, username: 'askproai', email: 'termine@askproai.de', name: 'AskProAI', avatarUrl: null, bio: null, timeFormat: 24,
      weekStart: 'Monday', timeZone: 'Europe/Berlin', organizationId: null, defaultScheduleId: null },
    schedules: [], eventTypes: [], webhooks: [], ooo: [], privateLinks: [], teams: [], teamEventTypes: [],
    calendars: { connectedCalendars: [], destinationCalendar: null }, conferencing: [], bookings: [],
  };
  if (options.seed !== false) {
    seedAskPro(state, ids, { bookings: options.bookings ?? 120, extraEventTypes: options.extraEventTypes ?? 0, extraWebhooks: options.extraWebhooks ?? 0 });
  }
  let path = '';
  const ok = (data: unknown, status = 200): FakeReply => ({ status, body: { status: 'success', data } });
  const fail = (status: number, message: string): FakeReply => ({ status, body: calcomErrorBody(status, message, path) });
  const find = (rows: Row[], key: string | undefined) => rows.find((row) => row.id === Number(key));
  const findString = (rows: Row[], key: string | undefined) => rows.find((row) => row.id === key);
  const throttle = createThrottle(options.throttle ?? CALCOM_REAL_THROTTLE, () => fail(429, 'CustomThrottlerGuard - Too many requests. Please try again later.'));

  // apps/api/v2/src/ee/schedules/schedules_2024_06_11 (ScheduleOutput_2024_06_11): isDefault from the user's defaultScheduleId.
  const scheduleOut = (row: Row) => ({ ...row, ownerId: state.user.id, isDefault: row.id === state.user.defaultScheduleId });
  // The 2024-04-15 schedule shape (apps/api/v2/src/ee/schedules/schedules_2024_04_15/outputs/schedule.output.ts).
  const legacyScheduleOut = (row: Row) => ({ id: row.id, name: row.name, isManaged: false, workingHours: [], schedule: [], availability: [],
    timeZone: row.timeZone, dateOverrides: [], isDefault: row.id === state.user.defaultScheduleId, isLastSchedule: state.schedules.length === 1, readOnly: false });
  // Hosts come back with the user's name and username (output-team-event-types.service.ts).
  const hostsOut = (hosts: unknown) =>
    ((hosts as Row[] | undefined) ?? []).map((host) => ({ ...host, ...(host.userId === state.user.id ? { name: state.user.name, username: state.user.username } : {}) }));
  const linkOut = (row: Row) => ({ ...row, bookingUrl: `https://cal.com/d/${String(row.linkId)}/${String(state.eventTypes.find((e) => e.id === row.eventTypeId)?.slug ?? '')}` });

  type Handler = (req: FakeRequest, params: Record<string, string>) => FakeReply;
  type Route = [method: string, pattern: string, version: string | undefined, handler: Handler, legacy?: Handler];
  const routes: Route[] = [
    // apps/api/v2/src/ee/me/me.controller.ts, outputs/me.output.ts (MeOutput: no locale field).
    ['GET', '/v2/me', undefined, () => ok(state.user)],
    ['PATCH', '/v2/me', undefined, (req) => {
      const body = req.body as Row;
      if (body.defaultScheduleId !== undefined && !find(state.schedules, String(body.defaultScheduleId))) return fail(400, 'defaultScheduleId: no such schedule');
      const allowed = ['email', 'name', 'timeFormat', 'defaultScheduleId', 'weekStart', 'timeZone', 'locale', 'avatarUrl', 'bio'];
      const unknown = Object.keys(body).find((key) => !allowed.includes(key));
      if (unknown) return fail(400, `property ${unknown} should not exist`);
      const { locale: _locale, ...shown } = body;
      Object.assign(state.user, shown);
      return ok(state.user);
    }],
    // apps/api/v2/src/ee/schedules/schedules_2024_06_11/controllers/schedules.controller.ts
    ['GET', '/v2/schedules', VERSION.schedules, () => ok(state.schedules.map(scheduleOut)), () => ok(state.schedules.map(legacyScheduleOut))],
    ['POST', '/v2/schedules', VERSION.schedules, (req) => {
      const body = req.body as Row;
      if (typeof body.name !== 'string' || typeof body.timeZone !== 'string' || typeof body.isDefault !== 'boolean') {
        return fail(400, 'name, timeZone and isDefault are required');
      }
      const { isDefault, ...rest } = body;
      const row: Row = { availability: [], overrides: [], ...rest, id: ids.number() };
      state.schedules.push(row);
      if (isDefault) state.user.defaultScheduleId = row.id as number;
      return ok(scheduleOut(row), 201);
    }],
    ['GET', '/v2/schedules/:id', VERSION.schedules, (_req, p) => {
      const row = find(state.schedules, p.id);
      return row ? ok(scheduleOut(row)) : fail(404, `Schedule with id=${p.id} not found`);
    }],
    ['PATCH', '/v2/schedules/:id', VERSION.schedules, (req, p) => {
      const row = find(state.schedules, p.id);
      if (!row) return fail(404, `Schedule with id=${p.id} not found`);
      const { isDefault, ...rest } = req.body as Row;
      Object.assign(row, rest);
      if (isDefault) state.user.defaultScheduleId = row.id as number;
      return ok(scheduleOut(row));
    }],
    // apps/api/v2/src/ee/event-types/event-types_2024_06_14/controllers/event-types.controller.ts;
    // a slug the user already has is a BadRequestException (services/event-types.service.ts checkCanCreateEventType).
    ['GET', '/v2/event-types', VERSION.eventTypes, () => ok(state.eventTypes), () => ok({ eventTypeGroups: [{ eventTypes: state.eventTypes, profile: { slug: state.user.username } }] })],
    ['POST', '/v2/event-types', VERSION.eventTypes, (req) => {
      const body = req.body as Row;
      if (typeof body.title !== 'string' || typeof body.slug !== 'string' || typeof body.lengthInMinutes !== 'number') {
        return fail(400, 'title, slug and lengthInMinutes are required');
      }
      if (state.eventTypes.some((row) => row.slug === body.slug)) return fail(400, 'User already has an event type with this slug.');
      const scheduleError = checkSchedule(body.scheduleId);
      if (scheduleError) return scheduleError;
      const row: Row = {
        description: '', hidden: false, locations: [], bookingFields: [], scheduleId: null,
        ...body, id: ids.number(), ownerId: state.user.id, users: [{ id: state.user.id, username: state.user.username }],
      };
      state.eventTypes.push(row);
      return ok(row, 201);
    }],
    ['GET', '/v2/event-types/:id', VERSION.eventTypes, (_req, p) => {
      const row = find(state.eventTypes, p.id);
      return row ? ok(row) : fail(404, `Event type with id=${p.id} not found`);
    }],
    ['PATCH', '/v2/event-types/:id', VERSION.eventTypes, (req, p) => {
      const row = find(state.eventTypes, p.id);
      if (!row) return fail(404, `Event type with id=${p.id} not found`);
      const body = req.body as Row;
      if (body.slug !== undefined && state.eventTypes.some((other) => other !== row && other.slug === body.slug)) return fail(400, 'User already has an event type with this slug.');
      const scheduleError = checkSchedule(body.scheduleId);
      if (scheduleError) return scheduleError;
      Object.assign(row, body, { id: row.id });
      return ok(row);
    }],
    // apps/api/v2/src/ee/event-types/event-types_2024_06_14/controllers/event-types-private-links.controller.ts;
    // link ids are generated (PrivateLinkOutput_2024_06_14.linkId): a new link has a new URL.
    ['GET', '/v2/event-types/:eventTypeId/private-links', VERSION.eventTypes, (_req, p) => {
      if (!find(state.eventTypes, p.eventTypeId)) return fail(404, `Event type with id=${p.eventTypeId} not found`);
      return ok(state.privateLinks.filter((row) => row.eventTypeId === Number(p.eventTypeId)).map(linkOut));
    }],
    ['POST', '/v2/event-types/:eventTypeId/private-links', VERSION.eventTypes, (req, p) => {
      if (!find(state.eventTypes, p.eventTypeId)) return fail(404, `Event type with id=${p.eventTypeId} not found`);
      const body = (req.body ?? {}) as Row;
      const row: Row = { linkId: randomBytes(6).toString('hex'), eventTypeId: Number(p.eventTypeId), isExpired: false,
        ...(body.expiresAt !== undefined ? { expiresAt: body.expiresAt } : { maxUsageCount: body.maxUsageCount ?? 1, usageCount: 0 }) };
      state.privateLinks.push(row);
      return ok(linkOut(row), 201);
    }],
    // apps/api/v2/src/modules/webhooks/controllers/webhooks.controller.ts (skip/take, take defaults to 250;
    // :webhookId is a string) and event-types-webhooks.controller.ts; outputs/user-webhook.output.ts.
    ['GET', '/v2/webhooks', undefined, (req) => ok(page(state.webhooks.filter((row) => row.eventTypeId === undefined), req))],
    ['POST', '/v2/webhooks', undefined, (req) => createWebhook(req, undefined)],
    ['GET', '/v2/webhooks/:id', undefined, (_req, p) => {
      const row = findString(state.webhooks, p.id);
      return row ? ok(row) : fail(404, `Webhook with id ${p.id} not found`);
    }],
    ['PATCH', '/v2/webhooks/:id', undefined, (req, p) => updateWebhook(req, p.id!)],
    ['GET', '/v2/event-types/:eventTypeId/webhooks', undefined, (req, p) => {
      if (!find(state.eventTypes, p.eventTypeId)) return fail(404, `Event type with id=${p.eventTypeId} not found`);
      return ok(page(state.webhooks.filter((row) => row.eventTypeId === Number(p.eventTypeId)), req));
    }],
    ['POST', '/v2/event-types/:eventTypeId/webhooks', undefined, (req, p) => {
      if (!find(state.eventTypes, p.eventTypeId)) return fail(404, `Event type with id=${p.eventTypeId} not found`);
      return createWebhook(req, Number(p.eventTypeId));
    }],
    ['PATCH', '/v2/event-types/:eventTypeId/webhooks/:id', undefined, (req, p) => updateWebhook(req, p.id!)],
    // apps/api/v2/src/modules/ooo/controllers/user-ooo.controller.ts, outputs/ooo.output.ts.
    ['GET', '/v2/me/ooo', undefined, (req) => ok(page(state.ooo, req))],
    ['POST', '/v2/me/ooo', undefined, (req) => {
      const body = req.body as Row;
      if (typeof body.start !== 'string' || typeof body.end !== 'string') return fail(400, 'start and end are required');
      const row: Row = { ...body, id: ids.number(), uuid: ids.uuid(), userId: state.user.id };
      state.ooo.push(row);
      return ok(row, 201);
    }],
    ['PATCH', '/v2/me/ooo/:id', undefined, (req, p) => {
      const row = find(state.ooo, p.id);
      if (!row) return fail(404, `OOO entry ${p.id} not found`);
      Object.assign(row, req.body as Row, { id: row.id, uuid: row.uuid });
      return ok(row);
    }],
    // apps/api/v2/src/modules/teams/teams/controllers/teams.controller.ts and
    // modules/teams/event-types/controllers/teams-event-types.controller.ts (hosts with userId, mandatory, priority).
    ['GET', '/v2/teams', undefined, () => ok(state.teams)],
    ['GET', '/v2/teams/:teamId/event-types', VERSION.eventTypes, (_req, p) => {
      if (!find(state.teams, p.teamId)) return fail(404, `Team with id=${p.teamId} not found`);
      return ok(state.teamEventTypes.filter((row) => row.teamId === Number(p.teamId)));
    }],
    ['POST', '/v2/teams/:teamId/event-types', VERSION.eventTypes, (req, p) => {
      if (!find(state.teams, p.teamId)) return fail(404, `Team with id=${p.teamId} not found`);
      const body = req.body as Row;
      if (typeof body.title !== 'string' || typeof body.slug !== 'string' || typeof body.lengthInMinutes !== 'number' || typeof body.schedulingType !== 'string') {
        return fail(400, 'title, slug, lengthInMinutes and schedulingType are required');
      }
      if (state.teamEventTypes.some((row) => row.teamId === Number(p.teamId) && row.slug === body.slug)) return fail(400, 'Team already has an event type with this slug.');
      const row: Row = { description: '', hidden: false, locations: [], bookingFields: [], ...body, hosts: hostsOut(body.hosts), id: ids.number(), teamId: Number(p.teamId), ownerId: null };
      state.teamEventTypes.push(row);
      return ok(row, 201);
    }],
    ['PATCH', '/v2/teams/:teamId/event-types/:id', VERSION.eventTypes, (req, p) => {
      const row = state.teamEventTypes.find((entry) => entry.id === Number(p.id) && entry.teamId === Number(p.teamId));
      if (!row) return fail(404, `Event type with id=${p.id} not found`);
      const body = req.body as Row;
      Object.assign(row, body, { id: row.id, teamId: row.teamId }, body.hosts ? { hosts: hostsOut(body.hosts) } : {});
      return ok(row);
    }],
    // apps/api/v2/src/ee/calendars/controllers/calendars.controller.ts (connected calendars, destination calendar).
    ['GET', '/v2/calendars', undefined, () => ok(state.calendars)],
    // apps/api/v2/src/modules/conferencing/controllers/conferencing.controller.ts
    ['GET', '/v2/conferencing', undefined, () => ok(state.conferencing)],
    // apps/api/v2/src/ee/bookings/2024-08-13/controllers/bookings.controller.ts; pagination from
    // apps/api/v2/src/lib/pagination/pagination.ts getPagination (PaginationMetaDto: returnedItems, not itemsReturned).
    ['GET', '/v2/bookings', VERSION.bookings, (req) => {
      const rows = filterBookings(req);
      const take = Number(req.query.get('take') ?? 100);
      const skip = Number(req.query.get('skip') ?? 0);
      if (!Number.isInteger(take) || take < 1 || take > 250) return fail(400, 'take must not be greater than 250');
      return { status: 200, body: { status: 'success', data: rows.slice(skip, skip + take), pagination: pagination(skip, take, rows.length) } };
    }, (req) => ok({ bookings: filterBookings(req), recurringInfo: [], nextCursor: null })],
  ];

  function filterBookings(req: FakeRequest): Row[] {
    const afterStart = req.query.get('afterStart');
    const beforeEnd = req.query.get('beforeEnd');
    return state.bookings.filter((row) => (!afterStart || String(row.start) >= afterStart) && (!beforeEnd || String(row.end) <= beforeEnd));
  }
  function checkSchedule(scheduleId: unknown): FakeReply | undefined {
    if (scheduleId === undefined || scheduleId === null) return undefined;
    return find(state.schedules, String(scheduleId)) ? undefined : fail(400, `User with id=${state.user.id} does not own schedule with id=${String(scheduleId)}`);
  }
  function createWebhook(req: FakeRequest, eventTypeId: number | undefined): FakeReply {
    const body = req.body as Row;
    if (typeof body.subscriberUrl !== 'string' || !Array.isArray(body.triggers) || typeof body.active !== 'boolean') {
      return fail(400, 'subscriberUrl, triggers and active are required');
    }
    const row: Row = { payloadTemplate: null, ...body, id: ids.webhook(), ...(eventTypeId ? { eventTypeId } : { userId: state.user.id }) };
    state.webhooks.push(row);
    return ok(row, 201);
  }
  function updateWebhook(req: FakeRequest, webhookId: string): FakeReply {
    const row = findString(state.webhooks, webhookId);
    if (!row) return fail(404, `Webhook with id ${webhookId} not found`);
    Object.assign(row, req.body as Row, { id: row.id });
    return ok(row);
  }

  const server = await startFakeServer({
    apiKey: options.apiKey,
    unauthorized: () => fail(401, 'ApiAuthStrategy - api key - Invalid API Key'),
    errorBody: calcomErrorBody,
    gate: (req) => throttle.count(String(req.headers.authorization)),
    handle: (req) => {
      path = req.path;
      for (const [method, pattern, version, handler, legacy] of routes) {
        const params = method === req.method ? matchPath(pattern, req.path) : undefined;
        if (!params) continue;
        const asked = req.headers['cal-api-version'];
        if (version && asked !== version) {
          // Another known version, or none: the request reaches the 2024-04-15 controller.
          if (legacy) return legacy(req, params);
          return fail(400, `Cannot ${req.method} ${req.path} with cal-api-version ${String(asked ?? FALLBACK_VERSION)}; this endpoint needs ${version}`);
        }
        return handler(req, params);
      }
      return fail(404, `Cannot ${req.method} ${req.path}`);
    },
  });

  return {
    url: server.url,
    apiKey: options.apiKey,
    state,
    throttle,
    requests: server.requests,
    failNext: server.failNext,
    goDown: server.goDown,
    comeBack: server.comeBack,
    wipe() {
      for (const list of [state.schedules, state.eventTypes, state.webhooks, state.ooo, state.privateLinks, state.teamEventTypes, state.conferencing, state.bookings]) list.length = 0;
      state.calendars = { connectedCalendars: [], destinationCalendar: null };
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

/** getPagination of apps/api/v2/src/lib/pagination/pagination.ts. */
function pagination(skip: number, take: number, totalCount: number): Row {
  const safeSkip = Math.max(0, Math.min(skip, totalCount));
  const totalPages = Math.ceil(totalCount / take);
  return {
    returnedItems: Math.max(0, Math.min(totalCount - safeSkip, take)),
    totalItems: totalCount,
    itemsPerPage: take,
    remainingItems: Math.max(0, Math.min(totalCount - (safeSkip + take), totalCount)),
    currentPage: totalPages === 0 ? 0 : Math.max(1, Math.min(Math.floor(safeSkip / take) + 1, totalPages)),
    totalPages,
    hasNextPage: safeSkip + take < totalCount,
    hasPreviousPage: safeSkip > 0,
  };
}

import { DrcError } from '../errors.js';
import type { CalcomSnapshot } from './calcom/types.js';
import { agentKey, boundAgents, isForwardable, type RetellAgentWeight, type RetellSnapshot } from './retell/types.js';
import { isCalcomSnapshot, type ServiceSnapshot } from './service.js';

/**
 * What `drc sync show` prints from the mirror: the resources a team needs while the service
 * is down (which event types exist, who is bookable when, which number rings which agent).
 */
export interface ResourceListing {
  columns: string[];
  rows: string[][];
  /** The records as stored, for --json. */
  records: unknown[];
}

type Lister<S> = (snapshot: S) => ResourceListing;

const calcomResources: Record<string, Lister<CalcomSnapshot>> = {
  profile: (s) => listing(['id', 'username', 'email', 'time zone', 'default schedule'], [s.profile], (p) => [p.id, p.username, p.email, p.timeZone, p.defaultScheduleId]),
  schedules: (s) =>
    listing(['id', 'name', 'time zone', 'default', 'availability', 'overrides'], s.schedules, (x) => [
      x.id,
      x.name,
      x.timeZone,
      x.id === s.profile.defaultScheduleId || x.isDefault ? 'yes' : '',
      (x.availability ?? []).map((a) => `${a.days.map((d) => d.slice(0, 2)).join(',')} ${a.startTime}-${a.endTime}`).join('; '),
      (x.overrides ?? []).length,
    ]),
  'event-types': (s) =>
    listing(['id', 'slug', 'title', 'minutes', 'schedule', 'hidden'], s.eventTypes, (x) => [
      x.id,
      x.slug,
      x.title,
      x.lengthInMinutes,
      s.schedules.find((schedule) => schedule.id === x.scheduleId)?.name ?? '(default)',
      x.hidden ? 'yes' : '',
    ]),
  webhooks: (s) => {
    const entries = [...s.webhooks.map((w) => ({ scope: '(all)', ...w })), ...Object.entries(s.eventTypeWebhooks).flatMap(([slug, list]) => list.map((w) => ({ scope: slug, ...w })))];
    return listing(['id', 'event type', 'url', 'triggers', 'active'], entries, (x) => [x.id, x.scope, x.subscriberUrl, x.triggers.join(','), x.active ? 'yes' : 'no']);
  },
  teams: (s) => listing(['id', 'name', 'slug'], s.teams, (x) => [x.id, x.name, x.slug]),
  bookings: (s) =>
    listing(['uid', 'start', 'status', 'title', 'attendees', 'phone'], s.bookings, (x) => [
      x.uid,
      x.start,
      x.status,
      x.title,
      ((x.attendees as Array<{ name?: string; email?: string }> | undefined) ?? []).map((a) => a.name ?? a.email).join(', '),
      phonesOf(x).join(', '),
    ]),
  ooo: (s) => listing(['start', 'end', 'reason', 'notes'], s.ooo, (x) => [x.start, x.end, x.reason, x.notes]),
  'team-event-types': (s) =>
    listing(['team', 'slug', 'title', 'minutes', 'hosts'], Object.entries(s.teamEventTypes).flatMap(([team, list]) => list.map((x) => ({ team, ...x }))), (x) => [
      x.team,
      x.slug,
      x.title,
      x.lengthInMinutes,
      (x.hosts ?? []).map((host) => String(host.username ?? host.userId)).join(', '),
    ]),
};

/**
 * A caller's phone number, where Cal.com keeps it: attendees[].phoneNumber (BookingOutput_2024_08_13),
 * the attendeePhoneNumber booking field, or a phone location.
 */
function phonesOf(booking: Record<string, unknown>): string[] {
  const attendees = (booking.attendees as Array<{ phoneNumber?: string | null }> | undefined) ?? [];
  const responses = (booking.bookingFieldsResponses as Record<string, unknown> | undefined) ?? {};
  const found = [...attendees.map((attendee) => attendee.phoneNumber), responses.attendeePhoneNumber, responses.smsReminderNumber];
  if (typeof booking.location === 'string' && /^\+?[\d\s/-]{6,}$/.test(booking.location)) found.push(booking.location);
  return [...new Set(found.filter((phone): phone is string => typeof phone === 'string' && phone.length > 0))];
}

const retellResources: Record<string, Lister<RetellSnapshot>> = {
  agents: (s) =>
    listing(['id', 'name', 'channel', 'published', 'latest', 'voice', 'engine', 'versions kept'], s.agents, (x) => [
      x.agent_id,
      agentKey(x),
      x.channel ?? 'voice',
      (s.agentVersions[x.agent_id] ?? []).filter((version) => version.is_published).at(-1)?.version,
      x.version,
      x.voice_id,
      x.response_engine.llm_id ?? x.response_engine.conversation_flow_id ?? x.response_engine.type,
      (s.agentVersions[x.agent_id] ?? []).length,
    ]),
  llms: (s) => listing(['id', 'model', 'prompt'], s.llms, (x) => [x.llm_id, x.model, oneLine(x.general_prompt ?? '', 60)]),
  'knowledge-bases': (s) =>
    listing(['id', 'name', 'sources', 'texts kept'], s.knowledgeBases, (x) => [x.knowledge_base_id, x.knowledge_base_name, (x.knowledge_base_sources ?? []).length, (x.texts ?? []).length]),
  'phone-numbers': (s) => {
    const name = (id: string) => s.agents.find((agent) => agent.agent_id === id)?.agent_name ?? id;
    // A number may split its calls between agents by weight; a single agent is shown by name alone.
    const agents = (shares: RetellAgentWeight[]) => shares.map((share) => (shares.length > 1 ? `${name(share.agent_id)} ${Math.round(share.weight * 100)}%` : name(share.agent_id))).join(', ');
    return listing(['number', 'nickname', 'type', 'forward at carrier', 'inbound agent', 'outbound agent', 'fallback'], s.phoneNumbers, (x) => [
      x.phone_number,
      x.nickname,
      x.phone_number_type,
      isForwardable(x) ? 'yes (SIP)' : 'no (Retell)',
      agents(boundAgents(x, 'inbound')),
      agents(boundAgents(x, 'outbound')),
      x.fallback_number,
    ]);
  },
  'conversation-flows': (s) => listing(['id', 'version', 'nodes', 'prompt'], s.conversationFlows, (x) => [x.conversation_flow_id, x.version, ((x.nodes as unknown[] | undefined) ?? []).length, oneLine(String(x.global_prompt ?? ''), 60)]),
  voices: (s) => listing(['id', 'name', 'provider'], s.voices, (x) => [x.voice_id, x.voice_name, x.provider]),
  calls: (s) =>
    listing(['id', 'start', 'from', 'to', 'status', 'transcript'], s.calls, (x) => [
      x.call_id,
      typeof x.start_timestamp === 'number' ? new Date(x.start_timestamp).toISOString() : '',
      x.from_number,
      x.to_number,
      x.call_status,
      oneLine(String(x.transcript ?? ''), 80),
    ]),
};

export function serviceResources(type: 'calcom' | 'retell'): string[] {
  return Object.keys(type === 'calcom' ? calcomResources : retellResources);
}

/** Time window for bookings (by start) and calls (by start): ISO dates or times, `to` exclusive. */
export interface TimeWindow {
  from?: string;
  to?: string;
}

export function listResource(snapshot: ServiceSnapshot, resource: string, window: TimeWindow = {}): ResourceListing {
  const type = isCalcomSnapshot(snapshot) ? 'calcom' : 'retell';
  const lister = isCalcomSnapshot(snapshot) ? calcomResources[resource] : retellResources[resource];
  if (!lister) {
    throw new DrcError(`${snapshot.source}: unknown resource "${resource}"`, { hint: `${type} resources: ${serviceResources(type).join(', ')}` });
  }
  if (window.from === undefined && window.to === undefined) return (lister as Lister<ServiceSnapshot>)(snapshot);
  const from = parseWindowEdge(window.from, '--from');
  const to = parseWindowEdge(window.to, '--to');
  const inWindow = (time: number) => (from === undefined || time >= from) && (to === undefined || time < to);
  if (isCalcomSnapshot(snapshot) && resource === 'bookings') {
    return calcomResources.bookings!({ ...snapshot, bookings: snapshot.bookings.filter((booking) => inWindow(Date.parse(String(booking.start)))) });
  }
  if (!isCalcomSnapshot(snapshot) && resource === 'calls') {
    return retellResources.calls!({ ...snapshot, calls: snapshot.calls.filter((call) => inWindow(Number(call.start_timestamp))) });
  }
  throw new DrcError(`${snapshot.source}: --from/--to filter bookings and calls, not ${resource}`, { hint: `leave them out to list every ${resource}` });
}

/** "2026-12-03" (midnight UTC) or a full ISO time. */
function parseWindowEdge(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) throw new DrcError(`${flag} ${JSON.stringify(value)} is not a date`, { hint: 'use a date such as 2026-12-03 or a time such as 2026-12-03T08:00:00Z' });
  return time;
}

/** RFC 4180 CSV: header line, quotes where a cell needs them; for a spreadsheet or a call-back list. */
export function formatCsv(table: Pick<ResourceListing, 'columns' | 'rows'>): string {
  return [table.columns, ...table.rows].map((row) => row.map(csvCell).join(',')).join('\r\n');
}

/** A cell a spreadsheet would run as a formula (=, @, or +/- not followed by a digit) is defused with a leading '. */
function csvCell(text: string): string {
  const safe = /^[=@]|^[+-](?!\d)/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Aligned columns, the way `kubectl get` prints: readable in a terminal and in a mail. */
export function formatTable(table: Pick<ResourceListing, 'columns' | 'rows'>): string {
  const header = table.columns.map((column) => column.toUpperCase());
  const widths = header.map((title, index) => Math.max(title.length, ...table.rows.map((row) => row[index]!.length)));
  const line = (cells: string[]) => cells.map((cell, index) => cell.padEnd(widths[index]!)).join('  ').trimEnd();
  return [line(header), ...table.rows.map(line)].join('\n');
}

function listing<T>(columns: string[], records: T[], cells: (record: T) => unknown[]): ResourceListing {
  return { columns, records, rows: records.map((record) => cells(record).map((cell) => (cell === undefined || cell === null ? '' : String(cell)))) };
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

import { DrcError } from '../errors.js';
import type { CalcomSnapshot } from './calcom/types.js';
import { agentKey, boundAgents, type RetellAgentWeight, type RetellSnapshot } from './retell/types.js';
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
    listing(['uid', 'start', 'status', 'title', 'attendees'], s.bookings, (x) => [
      x.uid,
      x.start,
      x.status,
      x.title,
      ((x.attendees as Array<{ name?: string; email?: string }> | undefined) ?? []).map((a) => a.name ?? a.email).join(', '),
    ]),
};

const retellResources: Record<string, Lister<RetellSnapshot>> = {
  agents: (s) =>
    listing(['id', 'name', 'version', 'voice', 'llm', 'versions kept'], s.agents, (x) => [
      x.agent_id,
      agentKey(x),
      x.version,
      x.voice_id,
      x.response_engine.llm_id ?? x.response_engine.type,
      (s.agentVersions[x.agent_id] ?? []).length,
    ]),
  llms: (s) => listing(['id', 'model', 'prompt'], s.llms, (x) => [x.llm_id, x.model, oneLine(x.general_prompt ?? '', 60)]),
  'knowledge-bases': (s) =>
    listing(['id', 'name', 'sources', 'texts kept'], s.knowledgeBases, (x) => [x.knowledge_base_id, x.knowledge_base_name, (x.knowledge_base_sources ?? []).length, (x.texts ?? []).length]),
  'phone-numbers': (s) => {
    const name = (id: string) => s.agents.find((agent) => agent.agent_id === id)?.agent_name ?? id;
    // A number may split its calls between agents by weight; a single agent is shown by name alone.
    const agents = (shares: RetellAgentWeight[]) => shares.map((share) => (shares.length > 1 ? `${name(share.agent_id)} ${Math.round(share.weight * 100)}%` : name(share.agent_id))).join(', ');
    return listing(['number', 'nickname', 'inbound agent', 'outbound agent'], s.phoneNumbers, (x) => [x.phone_number, x.nickname, agents(boundAgents(x, 'inbound')), agents(boundAgents(x, 'outbound'))]);
  },
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

export function listResource(snapshot: ServiceSnapshot, resource: string): ResourceListing {
  const type = isCalcomSnapshot(snapshot) ? 'calcom' : 'retell';
  const lister = isCalcomSnapshot(snapshot) ? calcomResources[resource] : retellResources[resource];
  if (!lister) {
    throw new DrcError(`${snapshot.source}: unknown resource "${resource}"`, { hint: `${type} resources: ${serviceResources(type).join(', ')}` });
  }
  return (lister as Lister<ServiceSnapshot>)(snapshot);
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

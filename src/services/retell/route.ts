import { DrcError } from '../../errors.js';
import { collectAgentSummaries, collectListing, type RetellClient } from './client.js';
import { loadRouteState, saveRouteState } from './route-state.js';
import { isForwardable, type RetellAgent, type RetellPhoneNumber } from './types.js';

/**
 * The first minutes of a Retell incident: which numbers can be forwarded at the carrier (only
 * imported SIP numbers; numbers bought through Retell ring at Retell or nowhere), and pointing
 * numbers at a backup agent and/or a fallback number through the API, and back.
 */
export function describeForwarding(numbers: RetellPhoneNumber[]): string[] {
  return numbers.map((number) => {
    const name = `${number.phone_number}${number.nickname ? ` (${number.nickname})` : ''}`;
    const fallback = number.fallback_number ? `; Retell's fallback number: ${number.fallback_number}` : '';
    return isForwardable(number)
      ? `${name}: imported SIP number — CAN be forwarded at your carrier or SIP trunk (${number.sip_outbound_trunk_config?.termination_uri ?? 'see your provider'})${fallback}`
      : `${name}: bought through Retell (${number.phone_number_type ?? 'retell'}) — CANNOT be forwarded at a carrier while Retell is down${fallback}`;
  });
}

export interface RouteRequest {
  source: string;
  stateDir: string;
  /** Numbers to route; empty: every number with inbound agents. */
  numbers: string[];
  /** The backup agent, by name. */
  agent?: string;
  fallback?: string;
}

/** Points the numbers at the backup agent's published version and/or sets their fallback; records what they had. */
export async function routeToBackup(client: RetellClient, request: RouteRequest, line: (text: string) => void): Promise<string[]> {
  if (!request.agent && !request.fallback) throw new DrcError('retell-route to backup needs "agent" (a backup agent by name) or "fallback" (a phone number)');
  const numbers = selectNumbers(await collectListing<RetellPhoneNumber>(client, '/v2/list-phone-numbers'), request.numbers);
  const backup = request.agent ? await findAgent(client, request.agent) : undefined;
  const names = await agentNames(client);
  const state = await loadRouteState(request.stateDir, request.source);
  const routed: string[] = [];
  for (const number of numbers) {
    // Routing twice keeps the first record: "normal" is what the number had before the first routing.
    state.numbers[number.phone_number] ??= {
      inbound_agents: (number.inbound_agents ?? null)?.map((share) => ({ ...share, agent_name: names.get(share.agent_id) ?? null })) ?? null,
      fallback_number: number.fallback_number ?? null,
      routedAt: new Date().toISOString(),
      to: { agent: request.agent, fallback: request.fallback },
    };
    await saveRouteState(request.stateDir, request.source, state);
    const body: Record<string, unknown> = {};
    if (backup) body.inbound_agents = [{ agent_id: backup.agent_id, weight: 1, ...(backup.version !== undefined ? { agent_version: backup.version } : {}) }];
    if (request.fallback) body.fallback_number = request.fallback;
    await client.request({ method: 'PATCH', path: `/update-phone-number/${encodeURIComponent(number.phone_number)}`, body });
    line(`${number.phone_number}: routed to ${[backup ? `agent ${request.agent} (version ${backup.version ?? 'latest'})` : '', request.fallback ? `fallback ${request.fallback}` : ''].filter(Boolean).join(' and ')}`);
    routed.push(number.phone_number);
  }
  return routed;
}

/** Gives each routed number back the agents and fallback it had; agents rebuilt meanwhile are found by name. */
export async function routeBack(client: RetellClient, request: Pick<RouteRequest, 'source' | 'stateDir' | 'numbers'>, line: (text: string) => void): Promise<string[]> {
  const state = await loadRouteState(request.stateDir, request.source);
  const wanted = Object.keys(state.numbers).filter((number) => request.numbers.length === 0 || request.numbers.includes(number));
  if (wanted.length === 0) {
    line('no number is routed by drc: nothing to route back');
    return [];
  }
  const summaries = await collectAgentSummaries(client, 'voice');
  const ids = new Set(summaries.map((summary) => summary.agent_id));
  const byName = new Map(summaries.map((summary) => [summary.agent_name ?? '', summary.agent_id]));
  for (const number of wanted) {
    const record = state.numbers[number]!;
    const inbound = record.inbound_agents?.map((share) => {
      if (ids.has(share.agent_id)) return { agent_id: share.agent_id, weight: share.weight, ...(share.agent_version !== undefined && share.agent_version !== null ? { agent_version: share.agent_version } : {}) };
      const rebuilt = byName.get(share.agent_name ?? '');
      if (!rebuilt) throw new DrcError(`cannot route ${number} back: agent ${share.agent_name ?? share.agent_id} no longer exists`, { hint: 'push the agents from the snapshot first (sync push), then route back' });
      // A rebuilt agent has its own version numbers: it answers with its newest published version.
      return { agent_id: rebuilt, weight: share.weight, agent_version: 'latest_published' };
    }) ?? null;
    await client.request({ method: 'PATCH', path: `/update-phone-number/${encodeURIComponent(number)}`, body: { inbound_agents: inbound, fallback_number: record.fallback_number } });
    delete state.numbers[number];
    await saveRouteState(request.stateDir, request.source, state);
    line(`${number}: routed back to ${(record.inbound_agents ?? []).map((share) => share.agent_name ?? share.agent_id).join(', ') || 'no agent'}${record.fallback_number ? `, fallback ${record.fallback_number}` : ''}`);
  }
  return wanted;
}

function selectNumbers(all: RetellPhoneNumber[], wanted: string[]): RetellPhoneNumber[] {
  if (wanted.length === 0) return all.filter((number) => (number.inbound_agents ?? []).length > 0);
  return wanted.map((phone) => {
    const found = all.find((number) => number.phone_number === phone);
    if (!found) throw new DrcError(`retell-route: number ${phone} is not in the Retell account`, { hint: `numbers in the account: ${all.map((number) => number.phone_number).join(', ')}` });
    return found;
  });
}

async function agentNames(client: RetellClient): Promise<Map<string, string>> {
  const summaries = [...(await collectAgentSummaries(client, 'voice')), ...(await collectAgentSummaries(client, 'chat'))];
  return new Map(summaries.map((summary) => [summary.agent_id, summary.agent_name ?? summary.agent_id]));
}

/** The voice agent named `name` and its newest published version (undefined: never published). */
export async function findAgent(client: RetellClient, name: string): Promise<{ agent_id: string; version?: number; versions: RetellAgent[] }> {
  const summaries = await collectAgentSummaries(client, 'voice');
  const summary = summaries.find((entry) => entry.agent_name === name);
  if (!summary) throw new DrcError(`no Retell agent named "${name}"`, { hint: `voice agents in the account: ${summaries.map((entry) => entry.agent_name ?? entry.agent_id).join(', ')}` });
  const versions = await client.request<RetellAgent[]>({ path: `/get-agent-versions/${encodeURIComponent(summary.agent_id)}` });
  return { agent_id: summary.agent_id, version: versions.filter((version) => version.is_published).at(-1)?.version, versions };
}

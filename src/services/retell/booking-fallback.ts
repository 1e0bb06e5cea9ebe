import { DrcError } from '../../errors.js';
import { collectListing, type RetellClient } from './client.js';
import { findAgent } from './route.js';
import { loadRouteState, saveRouteState } from './route-state.js';
import { BINDING_FIELDS, type RetellPhoneNumber } from './types.js';

/**
 * During a Cal.com outage the phone agent must stop offering slots it cannot book: its booking
 * tool is pointed at a callback endpoint (same tool name, so the prompt still fits; a
 * description that makes it take a callback request). Published versions do not change, so
 * "on" publishes a new version with the switched tool and re-pins numbers that pinned the old
 * one; "off" publishes a copy of the original version and pins those numbers to it.
 */
export interface BookingFallbackRequest {
  source: string;
  stateDir: string;
  agent: string;
  tool: string;
  callbackUrl?: string;
}

const CALLBACK_DESCRIPTION = 'Terminbuchung ist gerade gestört: nimm statt eines Termins einen Rückrufwunsch auf (Name, Telefonnummer, Wunschzeit) und sage zu, dass wir zurückrufen.';

export async function switchBookingToCallback(client: RetellClient, request: BookingFallbackRequest, line: (text: string) => void): Promise<string> {
  if (!request.callbackUrl) throw new DrcError('calcom-fallback on needs "callback-url": where the agent sends callback requests');
  const state = await loadRouteState(request.stateDir, request.source);
  if (state.fallbacks[request.agent]) {
    line(`${request.agent}: already taking callbacks since ${state.fallbacks[request.agent]!.switchedAt}`);
    return 'already on';
  }
  const agent = await findAgent(client, request.agent);
  if (agent.version === undefined) throw new DrcError(`agent ${request.agent} has no published version to start from`, { hint: 'publish the agent in Retell first' });
  const version = await publishVariant(client, agent.agent_id, agent.version, (tools) => {
    const tool = tools.find((entry) => entry.name === request.tool);
    if (!tool) return false;
    Object.assign(tool, { url: request.callbackUrl, description: CALLBACK_DESCRIPTION });
    return true;
  }, request);
  const pinned = await repin(client, agent.agent_id, agent.version, version);
  state.fallbacks[request.agent] = { agent: request.agent, agentId: agent.agent_id, originalVersion: agent.version, pinned, switchedAt: new Date().toISOString() };
  await saveRouteState(request.stateDir, request.source, state);
  line(`${request.agent}: tool ${request.tool} now takes callbacks (${request.callbackUrl}); published version ${version}${pinned.length > 0 ? `, pinned on ${pinned.map((entry) => entry.number).join(', ')}` : ''}`);
  return `version ${version}`;
}

export async function switchBookingBack(client: RetellClient, request: BookingFallbackRequest, line: (text: string) => void): Promise<string> {
  const state = await loadRouteState(request.stateDir, request.source);
  const record = state.fallbacks[request.agent];
  if (!record) {
    line(`${request.agent}: not switched to callbacks by drc; nothing to switch back`);
    return 'already off';
  }
  const current = await findAgent(client, request.agent);
  const version = await publishVariant(client, record.agentId, record.originalVersion, () => true, request);
  const numbers = await collectListing<RetellPhoneNumber>(client, '/v2/list-phone-numbers');
  for (const { number, field } of record.pinned) {
    const entry = numbers.find((candidate) => candidate.phone_number === number);
    const shares = (entry?.[field as (typeof BINDING_FIELDS)[number]] ?? []).map((share) => (share.agent_id === record.agentId ? { ...share, agent_version: version } : share));
    await client.request({ method: 'PATCH', path: `/update-phone-number/${encodeURIComponent(number)}`, body: { [field]: shares } });
  }
  delete state.fallbacks[request.agent];
  await saveRouteState(request.stateDir, request.source, state);
  line(`${request.agent}: tool ${request.tool} books through Cal.com again; published version ${version} (a copy of version ${record.originalVersion}; the callback version was ${current.version ?? '?'})`);
  return `version ${version}`;
}

/** A new published version from `base`, its engine's tools changed by `change` (false: the tool is not there). */
async function publishVariant(client: RetellClient, agentId: string, base: number, change: (tools: Array<Record<string, unknown>>) => boolean, request: BookingFallbackRequest): Promise<number> {
  const draft = await client.request<{ version: number; response_engine: { type: string; llm_id?: string; conversation_flow_id?: string; version?: number } }>({
    method: 'POST', path: `/create-agent-version/${encodeURIComponent(agentId)}`, body: { base_version: base },
  });
  const engine = draft.response_engine;
  const isLlm = engine.type === 'retell-llm';
  const engineId = isLlm ? engine.llm_id : engine.conversation_flow_id;
  if (!engineId) throw new DrcError(`agent ${request.agent} runs a ${engine.type} engine; drc can switch tools of Retell LLMs and conversation flows only`);
  const getPath = isLlm ? `/get-retell-llm/${encodeURIComponent(engineId)}` : `/get-conversation-flow/${encodeURIComponent(engineId)}`;
  const content = await client.request<Record<string, unknown>>({ path: getPath, query: { version: engine.version } });
  const field = isLlm ? 'general_tools' : 'tools';
  const tools = structuredClone((content[field] as Array<Record<string, unknown>> | undefined) ?? []);
  if (!change(tools)) throw new DrcError(`agent ${request.agent} has no tool named "${request.tool}"`, { hint: `its tools: ${tools.map((tool) => String(tool.name)).join(', ') || 'none'}` });
  const updatePath = isLlm ? `/update-retell-llm/${encodeURIComponent(engineId)}` : `/update-conversation-flow/${encodeURIComponent(engineId)}`;
  await client.request({ method: 'PATCH', path: updatePath, query: { version: engine.version }, body: { [field]: tools } });
  await client.request({ method: 'POST', path: `/publish-agent-version/${encodeURIComponent(agentId)}`, body: { version: draft.version } });
  return draft.version;
}

/** Numbers that pinned `from` of the agent now pin `to`; tags (latest_published) follow by themselves. */
async function repin(client: RetellClient, agentId: string, from: number, to: number): Promise<Array<{ number: string; field: string }>> {
  const pinned: Array<{ number: string; field: string }> = [];
  for (const number of await collectListing<RetellPhoneNumber>(client, '/v2/list-phone-numbers')) {
    for (const field of BINDING_FIELDS) {
      const shares = number[field] ?? [];
      if (!shares.some((share) => share.agent_id === agentId && share.agent_version === from)) continue;
      const moved = shares.map((share) => (share.agent_id === agentId && share.agent_version === from ? { ...share, agent_version: to } : share));
      await client.request({ method: 'PATCH', path: `/update-phone-number/${encodeURIComponent(number.phone_number)}`, body: { [field]: moved } });
      pinned.push({ number: number.phone_number, field });
    }
  }
  return pinned;
}

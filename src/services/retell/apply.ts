import { DrcError } from '../../errors.js';
import type { Emit } from '../../events.js';
import type { AppliedAction } from '../calcom/apply.js';
import { pendingActions } from '../plan.js';
import type { RetellClient } from './client.js';
import type { EngineContent } from './content.js';
import type { AgentShare, RetellAction, RetellPlan } from './plan.js';
import { agentKey, type BindingField, type RetellConfigState } from './types.js';

interface IdMaps {
  knowledgeBases: Map<string, string>;
  /** Agent id and the version this push published (or the live published one), by agent key. */
  agents: Map<string, { id: string; version?: number }>;
}

/**
 * Carries out a Retell plan in its order: knowledge bases, then each agent with its engine
 * (written as a draft, then published, as Retell does it: create-agent-version,
 * update-*?version=, publish-agent-version), drafts on top, then the numbers pinned to what was
 * published. Published versions are never changed in place.
 */
/** Told the binding a routed number goes back to, by agent id (and name, to find it after a rebuild). */
export type RoutedBindingSink = (number: string, inbound: Array<{ agent_id: string; agent_name: string; weight: number; agent_version?: string | number }> | null, fallback: string | null) => Promise<void>;

export async function applyRetellPlan(client: RetellClient, plan: RetellPlan, live: RetellConfigState, emit: Emit, onRouted?: RoutedBindingSink): Promise<AppliedAction[]> {
  const ids: IdMaps = {
    knowledgeBases: new Map(live.knowledgeBases.map((kb) => [kb.knowledge_base_name, kb.knowledge_base_id])),
    agents: new Map(live.agents.map((agent) => [agentKey(agent), { id: agent.agent_id, version: newestPublishedVersion(live, agent.agent_id) }])),
  };
  const applied: AppliedAction[] = [];
  for (const action of pendingActions(plan)) {
    const id = await applyAction(client, action, ids);
    if (action.routedBack && onRouted) {
      const inbound = weightsOf(action.routedBack.inbound_agents, ids, action)?.map((share, index) => ({ ...share, agent_name: action.routedBack!.inbound_agents![index]!.agent }));
      await onRouted(action.key, inbound ?? null, action.routedBack.fallback_number);
    }
    applied.push({ resource: action.resource, key: action.key, action: action.action as AppliedAction['action'], id });
    emit({ type: 'log', level: 'info', message: `${plan.source}: ${action.action}d ${action.resource} ${action.key} (id ${id})` });
  }
  return applied;
}

function newestPublishedVersion(live: RetellConfigState, agentId: string): number | undefined {
  return (live.agentVersions[agentId] ?? []).filter((version) => version.is_published).at(-1)?.version;
}

async function applyAction(client: RetellClient, action: RetellAction, ids: IdMaps): Promise<string> {
  switch (action.resource) {
    case 'knowledge-base': {
      const form = knowledgeBaseForm(action);
      if (action.action === 'create') form.set('knowledge_base_name', action.key);
      const path = action.action === 'create' ? '/create-knowledge-base' : `/add-knowledge-base-sources/${encodeURIComponent(action.liveId!)}`;
      const saved = await client.request<{ knowledge_base_id: string }>({ method: 'POST', path, form });
      ids.knowledgeBases.set(action.key, saved.knowledge_base_id);
      return saved.knowledge_base_id;
    }
    case 'agent':
      return action.action === 'create' ? createAgent(client, action, ids) : updateAgent(client, action, ids);
    case 'agent-draft': {
      const agent = requireId(ids.agents, action.key, 'agent', action);
      await writeDraft(client, action, agent.id, agent.version ?? 0, ids);
      return agent.id;
    }
    case 'phone-number': {
      const payload: Record<string, unknown> = { ...action.body };
      for (const [field, shares] of Object.entries(action.bindings ?? {}) as Array<[BindingField, AgentShare[] | null]>) payload[field] = weightsOf(shares, ids, action);
      const saved = await client.request<{ phone_number: string }>({ method: 'PATCH', path: `/update-phone-number/${encodeURIComponent(action.key)}`, body: payload });
      return saved.phone_number;
    }
    case 'voice':
      throw new DrcError(`voice ${action.key} needs a person: ${action.changes.join('; ')}`);
  }
}

const agentPath = (action: RetellAction, verb: 'create' | 'update') => `/${verb}-${action.channel === 'chat' ? 'chat-' : ''}agent`;

async function createAgent(client: RetellClient, action: RetellAction, ids: IdMaps): Promise<string> {
  const engine = action.engine ? { type: action.engine.kind, [engineIdKey(action.engine)]: action.reuseEngineId ?? (await createEngine(client, action.engine, ids, action)) } : undefined;
  const payload = { ...action.body, ...(action.voiceId ? { voice_id: action.voiceId } : {}), ...(engine ? { response_engine: engine } : {}) };
  const saved = await client.request<{ agent_id: string; version?: number }>({ method: 'POST', path: agentPath(action, 'create'), body: payload });
  const version = saved.version ?? 0;
  if (action.publish) await publish(client, saved.agent_id, version);
  ids.agents.set(action.key, { id: saved.agent_id, version: action.publish ? version : undefined });
  return saved.agent_id;
}

/** A changed agent: a new draft from the live production version, written, then published. */
async function updateAgent(client: RetellClient, action: RetellAction, ids: IdMaps): Promise<string> {
  const version = await writeDraft(client, action, action.liveId!, action.baseVersion ?? 0, ids);
  if (action.publish) await publish(client, action.liveId!, version);
  ids.agents.set(action.key, { id: action.liveId!, version: action.publish ? version : undefined });
  return action.liveId!;
}

/** create-agent-version from `base`, then the engine version it got and the agent version are written. */
async function writeDraft(client: RetellClient, action: RetellAction, agentId: string, base: number, ids: IdMaps): Promise<number> {
  const draft = await client.request<{ version: number; response_engine: { type: string; llm_id?: string; conversation_flow_id?: string; version?: number } }>({
    method: 'POST',
    path: `/create-agent-version/${encodeURIComponent(agentId)}`,
    body: { base_version: base },
  });
  const payload: Record<string, unknown> = { ...action.body, ...(action.voiceId ? { voice_id: action.voiceId } : {}) };
  if (action.engine) {
    const current = draft.response_engine;
    if (current.type === action.engine.kind) {
      const engineId = current.llm_id ?? current.conversation_flow_id!;
      const path = action.engine.kind === 'retell-llm' ? `/update-retell-llm/${encodeURIComponent(engineId)}` : `/update-conversation-flow/${encodeURIComponent(engineId)}`;
      await client.request({ method: 'PATCH', path, query: { version: current.version }, body: enginePayload(action.engine, ids, action) });
    } else {
      payload.response_engine = { type: action.engine.kind, [engineIdKey(action.engine)]: await createEngine(client, action.engine, ids, action) };
    }
  }
  await client.request({ method: 'PATCH', path: `${agentPath(action, 'update')}/${encodeURIComponent(agentId)}`, query: { version: draft.version }, body: payload });
  return draft.version;
}

function publish(client: RetellClient, agentId: string, version: number): Promise<unknown> {
  return client.request({ method: 'POST', path: `/publish-agent-version/${encodeURIComponent(agentId)}`, body: { version } });
}

const engineIdKey = (engine: EngineContent) => (engine.kind === 'retell-llm' ? 'llm_id' : 'conversation_flow_id');

function enginePayload(engine: EngineContent, ids: IdMaps, action: RetellAction): Record<string, unknown> {
  return { ...engine.body, knowledge_base_ids: engine.knowledgeBaseNames.map((name) => requireId(ids.knowledgeBases, name, 'knowledge base', action)) };
}

async function createEngine(client: RetellClient, engine: EngineContent, ids: IdMaps, action: RetellAction): Promise<string> {
  const path = engine.kind === 'retell-llm' ? '/create-retell-llm' : '/create-conversation-flow';
  const saved = await client.request<Record<string, string>>({ method: 'POST', path, body: enginePayload(engine, ids, action) });
  return saved[engineIdKey(engine)]!;
}

/** create-knowledge-base and add-knowledge-base-sources take multipart form data, lists as JSON. */
function knowledgeBaseForm(action: RetellAction): FormData {
  const form = new FormData();
  if (action.texts && action.texts.length > 0) form.set('knowledge_base_texts', JSON.stringify(action.texts));
  if (action.urls && action.urls.length > 0) form.set('knowledge_base_urls', JSON.stringify(action.urls));
  if (action.body?.enable_auto_refresh !== undefined) form.set('enable_auto_refresh', String(action.body.enable_auto_refresh));
  return form;
}

/** update-phone-number's weighted agent list, by the ids (and published versions) the agents have now; null unbinds. */
function weightsOf(shares: AgentShare[] | null, ids: IdMaps, action: RetellAction) {
  if (!shares || shares.length === 0) return null;
  return shares.map((share) => {
    const agent = requireId(ids.agents, share.agent, 'agent', action);
    const version = share.version === 'pushed' ? agent.version : share.version;
    return { agent_id: agent.id, weight: share.weight, ...(version !== undefined ? { agent_version: version } : {}) };
  });
}

function requireId<T>(ids: Map<string, T>, name: string, what: string, action: RetellAction): T {
  const id = ids.get(name);
  if (id === undefined) {
    throw new DrcError(`cannot ${action.action} ${action.resource} ${action.key}: ${what} "${name}" exists neither live nor in the plan`, {
      hint: 'the snapshot is inconsistent; take a fresh one with "drc sync pull" or choose another set',
    });
  }
  return id;
}

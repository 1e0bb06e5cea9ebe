import { DrcError } from '../../errors.js';
import type { Emit } from '../../events.js';
import type { AppliedAction } from '../calcom/apply.js';
import { pendingActions } from '../plan.js';
import type { RetellClient } from './client.js';
import type { AgentShare, RetellAction, RetellPlan } from './plan.js';
import { agentKey, type RetellConfigState } from './types.js';

interface IdMaps {
  knowledgeBases: Map<string, string>;
  /** LLM ids by the name of the agent that uses them. */
  llms: Map<string, string>;
  agents: Map<string, string>;
}

/**
 * Carries out a Retell plan in its order, remembering the ids the account assigns so LLMs point
 * at the new knowledge bases, agents at the new LLMs and numbers at the new agents.
 */
export async function applyRetellPlan(client: RetellClient, plan: RetellPlan, live: RetellConfigState, emit: Emit): Promise<AppliedAction[]> {
  const ids: IdMaps = {
    knowledgeBases: new Map(live.knowledgeBases.map((kb) => [kb.knowledge_base_name, kb.knowledge_base_id])),
    llms: new Map(live.agents.flatMap((agent) => (agent.response_engine.llm_id ? [[agentKey(agent), agent.response_engine.llm_id] as const] : []))),
    agents: new Map(live.agents.map((agent) => [agentKey(agent), agent.agent_id])),
  };
  const applied: AppliedAction[] = [];
  for (const action of pendingActions(plan)) {
    const id = await applyAction(client, action, ids);
    applied.push({ resource: action.resource, key: action.key, action: action.action as AppliedAction['action'], id });
    emit({ type: 'log', level: 'info', message: `${plan.source}: ${action.action}d ${action.resource} ${action.key} (id ${id})` });
  }
  return applied;
}

async function applyAction(client: RetellClient, action: RetellAction, ids: IdMaps): Promise<string> {
  const body = action.body ?? {};
  switch (action.resource) {
    case 'knowledge-base': {
      const form = knowledgeBaseForm(action);
      if (action.action === 'create') form.set('knowledge_base_name', action.key);
      const path = action.action === 'create' ? '/create-knowledge-base' : `/add-knowledge-base-sources/${encodeURIComponent(action.liveId!)}`;
      const saved = await client.request<{ knowledge_base_id: string }>({ method: 'POST', path, form });
      ids.knowledgeBases.set(action.key, saved.knowledge_base_id);
      return saved.knowledge_base_id;
    }
    case 'llm': {
      const payload = { ...body, knowledge_base_ids: (action.knowledgeBaseNames ?? []).map((name) => requireId(ids.knowledgeBases, name, 'knowledge base', action)) };
      const saved =
        action.action === 'create'
          ? await client.request<{ llm_id: string }>({ method: 'POST', path: '/create-retell-llm', body: payload })
          : await client.request<{ llm_id: string }>({ method: 'PATCH', path: `/update-retell-llm/${encodeURIComponent(action.liveId!)}`, body: payload });
      ids.llms.set(action.key, saved.llm_id);
      return saved.llm_id;
    }
    case 'agent': {
      const payload = { ...body };
      if (!payload.response_engine) payload.response_engine = { type: 'retell-llm', llm_id: requireId(ids.llms, action.key, 'LLM of agent', action) };
      const saved =
        action.action === 'create'
          ? await client.request<{ agent_id: string }>({ method: 'POST', path: '/create-agent', body: payload })
          : await client.request<{ agent_id: string }>({ method: 'PATCH', path: `/update-agent/${encodeURIComponent(action.liveId!)}`, body: payload });
      ids.agents.set(action.key, saved.agent_id);
      return saved.agent_id;
    }
    case 'phone-number': {
      const payload = { ...body, inbound_agents: weightsOf(action.inboundAgents, ids, action), outbound_agents: weightsOf(action.outboundAgents, ids, action) };
      const saved = await client.request<{ phone_number: string }>({ method: 'PATCH', path: `/update-phone-number/${encodeURIComponent(action.key)}`, body: payload });
      return saved.phone_number;
    }
  }
}

/** create-knowledge-base and add-knowledge-base-sources take multipart form data, lists as JSON. */
function knowledgeBaseForm(action: RetellAction): FormData {
  const form = new FormData();
  if (action.texts && action.texts.length > 0) form.set('knowledge_base_texts', JSON.stringify(action.texts));
  if (action.urls && action.urls.length > 0) form.set('knowledge_base_urls', JSON.stringify(action.urls));
  if (action.body?.enable_auto_refresh !== undefined) form.set('enable_auto_refresh', String(action.body.enable_auto_refresh));
  return form;
}

/** update-phone-number's weighted agent list, by the ids the agents have now (null unbinds). */
function weightsOf(shares: AgentShare[] | undefined, ids: IdMaps, action: RetellAction) {
  if (!shares || shares.length === 0) return null;
  return shares.map((share) => ({
    agent_id: requireId(ids.agents, share.agent, 'agent', action),
    weight: share.weight,
    ...(share.version ? { agent_version: share.version } : {}),
  }));
}

function requireId(ids: Map<string, string>, name: string, what: string, action: RetellAction): string {
  const id = ids.get(name);
  if (id === undefined) {
    throw new DrcError(`cannot ${action.action} ${action.resource} ${action.key}: ${what} "${name}" exists neither live nor in the plan`, {
      hint: 'the snapshot is inconsistent; take a fresh one with "drc sync pull" or choose another set',
    });
  }
  return id;
}

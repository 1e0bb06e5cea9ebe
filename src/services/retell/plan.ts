import { diffFields, sortedBy, withoutKeys, type PlanAction, type ServicePlan } from '../plan.js';
import { agentKey, boundAgents, type RetellAgent, type RetellConfigState, type RetellKnowledgeBase, type RetellLlm, type RetellPhoneNumber } from './types.js';

/**
 * Plans a Retell rebuild, matched by knowledge-base name, agent name and phone number (LLMs
 * have no name: each is matched through the agent that uses it). Pure: data in, plan out.
 * Order is dependency order: knowledge bases → LLMs → agents → phone-number bindings.
 * LLMs no agent uses stay in the snapshot but are not pushed: nothing would call them.
 */
export interface RetellAction extends PlanAction {
  resource: 'knowledge-base' | 'llm' | 'agent' | 'phone-number';
  liveId?: string;
  body?: Record<string, unknown>;
  /** knowledge-base: texts and URLs to add. */
  texts?: Array<{ title: string; text: string }>;
  urls?: string[];
  /** llm: its knowledge bases, by name. */
  knowledgeBaseNames?: string[];
  /** phone-number: the weighted agents to bind, by name (empty unbinds). */
  inboundAgents?: AgentShare[];
  outboundAgents?: AgentShare[];
}

/** One agent's share of a number's calls; version only as a tag ("latest_published"). */
export interface AgentShare {
  agent: string;
  weight: number;
  version?: string;
}

export type RetellPlan = ServicePlan<RetellAction>;

const LLM_OUTPUT_ONLY = ['llm_id', 'version', 'is_published', 'last_modification_timestamp', 'knowledge_base_ids'];
const AGENT_OUTPUT_ONLY = ['agent_id', 'version', 'is_published', 'base_version', 'last_modification_timestamp', 'response_engine'];

export function planRetellPush(source: string, desired: RetellConfigState, live: RetellConfigState): RetellPlan {
  const actions: RetellAction[] = [];
  const unchanged: string[] = [];
  const note = (action: RetellAction) => (action.action === 'update' && action.changes.length === 0 ? unchanged.push(`${action.resource} ${action.key}`) : actions.push(action));

  for (const knowledgeBase of sortedBy(desired.knowledgeBases, (kb) => kb.knowledge_base_name)) note(planKnowledgeBase(knowledgeBase, live.knowledgeBases));

  const desiredKbNames = new Map(desired.knowledgeBases.map((kb) => [kb.knowledge_base_id, kb.knowledge_base_name]));
  const liveKbNames = new Map(live.knowledgeBases.map((kb) => [kb.knowledge_base_id, kb.knowledge_base_name]));
  const liveAgents = new Map(live.agents.map((agent) => [agentKey(agent), agent]));
  const agentActions: RetellAction[] = [];
  for (const agent of sortedBy(desired.agents, agentKey)) {
    const liveAgent = liveAgents.get(agentKey(agent));
    const llm = llmOf(agent, desired.llms);
    let llmChanged = false;
    if (llm) {
      const action = planLlm(agentKey(agent), llm, desiredKbNames, liveAgent ? llmOf(liveAgent, live.llms) : undefined, liveKbNames);
      llmChanged = action.action === 'create';
      note(action);
    }
    agentActions.push(planAgent(agent, liveAgent, llmChanged));
  }
  agentActions.forEach(note);

  const desiredAgentNames = new Map(desired.agents.map((agent) => [agent.agent_id, agentKey(agent)]));
  const liveAgentNames = new Map(live.agents.map((agent) => [agent.agent_id, agentKey(agent)]));
  for (const number of sortedBy(desired.phoneNumbers, (entry) => entry.phone_number)) note(planPhoneNumber(number, desiredAgentNames, live.phoneNumbers, liveAgentNames));
  return { source, type: 'retell', actions, unchanged };
}

function planKnowledgeBase(knowledgeBase: RetellKnowledgeBase, live: RetellKnowledgeBase[]): RetellAction {
  const key = knowledgeBase.knowledge_base_name;
  const texts = knowledgeBase.texts ?? [];
  const urls = sourcesOf(knowledgeBase, 'url').map((source) => String(source.url));
  const documents = sourcesOf(knowledgeBase, 'document').map((source) => String(source.filename ?? source.source_id));
  const manualNote = documents.length > 0 ? [`upload again by hand: ${documents.join(', ')}`] : [];
  const match = live.find((entry) => entry.knowledge_base_name === key);
  if (!match) {
    return { resource: 'knowledge-base', key, action: 'create', changes: manualNote, texts, urls, body: { enable_auto_refresh: knowledgeBase.enable_auto_refresh ?? false } };
  }
  const liveTitles = new Set(sourcesOf(match, 'text').map((source) => source.title));
  const liveUrls = new Set(sourcesOf(match, 'url').map((source) => source.url));
  const missingTexts = texts.filter((text) => !liveTitles.has(text.title));
  const missingUrls = urls.filter((url) => !liveUrls.has(url));
  const changes = [...missingTexts.map((text) => `text "${text.title}"`), ...missingUrls.map((url) => `url ${url}`)];
  return { resource: 'knowledge-base', key, action: 'update', changes, liveId: match.knowledge_base_id, texts: missingTexts, urls: missingUrls };
}

function sourcesOf(knowledgeBase: RetellKnowledgeBase, type: string) {
  return (knowledgeBase.knowledge_base_sources ?? []).filter((source) => source.type === type);
}

function llmOf(agent: RetellAgent, llms: RetellLlm[]): RetellLlm | undefined {
  if (agent.response_engine.type !== 'retell-llm') return undefined;
  return llms.find((llm) => llm.llm_id === agent.response_engine.llm_id);
}

function planLlm(
  key: string,
  llm: RetellLlm,
  desiredKbNames: Map<string, string>,
  liveLlm: RetellLlm | undefined,
  liveKbNames: Map<string, string>,
): RetellAction {
  const body = withoutKeys(llm, LLM_OUTPUT_ONLY);
  const knowledgeBaseNames = namesOf(llm.knowledge_base_ids, desiredKbNames);
  if (!liveLlm) return { resource: 'llm', key, action: 'create', changes: [], body, knowledgeBaseNames };
  const changes = diffFields(body, liveLlm);
  if (namesOf(liveLlm.knowledge_base_ids, liveKbNames).join('\n') !== knowledgeBaseNames.join('\n')) changes.push('knowledge bases');
  return { resource: 'llm', key, action: 'update', changes, liveId: liveLlm.llm_id, body, knowledgeBaseNames };
}

function namesOf(ids: string[] | null | undefined, names: Map<string, string>): string[] {
  return (ids ?? []).map((id) => names.get(id) ?? id).sort();
}

function planAgent(agent: RetellAgent, liveAgent: RetellAgent | undefined, llmCreated: boolean): RetellAction {
  const key = agentKey(agent);
  const body = withoutKeys(agent, AGENT_OUTPUT_ONLY);
  // Only a Retell LLM engine can be rebuilt from ids drc knows; other engines are sent as they were.
  if (agent.response_engine.type !== 'retell-llm') body.response_engine = agent.response_engine;
  if (!liveAgent) return { resource: 'agent', key, action: 'create', changes: [], body };
  const changes = diffFields(body, liveAgent);
  if (llmCreated) changes.push('llm');
  return { resource: 'agent', key, action: 'update', changes, liveId: liveAgent.agent_id, body };
}

function planPhoneNumber(
  number: RetellPhoneNumber,
  desiredAgentNames: Map<string, string>,
  live: RetellPhoneNumber[],
  liveAgentNames: Map<string, string>,
): RetellAction {
  const key = number.phone_number;
  const inboundAgents = sharesOf(number, 'inbound', desiredAgentNames);
  const outboundAgents = sharesOf(number, 'outbound', desiredAgentNames);
  const body = { nickname: number.nickname ?? null, inbound_webhook_url: number.inbound_webhook_url ?? null };
  const match = live.find((entry) => entry.phone_number === key);
  if (!match) {
    // Numbers are carrier resources: buying or importing one is a decision (and a bill) for a person.
    return { resource: 'phone-number', key, action: 'manual', changes: ['not in the account: buy or import it in Retell, then push again to bind it'] };
  }
  const changes = diffFields(body, match);
  if (sharesText(sharesOf(match, 'inbound', liveAgentNames)) !== sharesText(inboundAgents)) changes.push('inbound agents');
  if (sharesText(sharesOf(match, 'outbound', liveAgentNames)) !== sharesText(outboundAgents)) changes.push('outbound agents');
  return { resource: 'phone-number', key, action: 'update', changes, body, inboundAgents, outboundAgents };
}

/**
 * A binding by agent name. Numeric versions are dropped: they count the versions of agents a
 * rebuild creates afresh. An agent the snapshot does not hold cannot be bound, so its weight
 * goes to the others in proportion (Retell wants the weights to add up to 1).
 */
function sharesOf(number: RetellPhoneNumber, direction: 'inbound' | 'outbound', names: Map<string, string>): AgentShare[] {
  const known = boundAgents(number, direction).filter((share) => names.has(share.agent_id));
  const total = known.reduce((sum, share) => sum + share.weight, 0);
  return sortedBy(
    known.map((share) => ({
      agent: names.get(share.agent_id)!,
      weight: share.weight / total,
      ...(typeof share.agent_version === 'string' ? { version: share.agent_version } : {}),
    })),
    (share) => share.agent,
  );
}

function sharesText(shares: AgentShare[]): string {
  return shares.map((share) => `${share.agent} ${share.weight.toFixed(6)} ${share.version ?? ''}`).join('\n');
}

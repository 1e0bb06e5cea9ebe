import { diffFields, sortedBy, type PlanAction, type ServicePlan } from '../plan.js';
import { agentBody, agentFingerprint, engineFingerprint, engineOf, voiceOf, type EngineContent } from './content.js';
import {
  agentKey,
  BINDING_FIELDS,
  boundAgents,
  type BindingField,
  type RetellAgent,
  type RetellConfigState,
  type RetellKnowledgeBase,
  type RetellPhoneNumber,
  type RetellVoice,
} from './types.js';

/**
 * Plans a Retell rebuild, matched by knowledge-base name, agent name (+ channel) and phone
 * number. Pure: data in, plan out. Order: knowledge bases → agents (each with the LLM or
 * conversation flow it runs, published as production ran it) → drafts on top → numbers, pinned
 * to the published versions. What needs a person (a cloned voice, a number to buy or import)
 * is a manual item; what depends on it waits.
 */
export interface RetellAction extends PlanAction {
  resource: 'knowledge-base' | 'agent' | 'agent-draft' | 'voice' | 'phone-number';
  liveId?: string;
  body?: Record<string, unknown>;
  /** knowledge-base: texts and URLs to add. */
  texts?: Array<{ title: string; text: string }>;
  urls?: string[];
  /** agent / agent-draft. */
  channel?: 'voice' | 'chat';
  voiceId?: string;
  engine?: EngineContent;
  /** A live LLM or flow with exactly this content that no agent uses (left by a failed push): used instead of a new one. */
  reuseEngineId?: string;
  /** update: the live version the new draft starts from. */
  baseVersion?: number;
  /** Publish what was written (false for an agent production never published). */
  publish?: boolean;
  /** phone-number: the weighted agents to bind per field (null unbinds). */
  bindings?: Partial<Record<BindingField, AgentShare[] | null>>;
  /** A number drc routed to a backup: what it goes back to (retell-route to: normal), not what it gets now. */
  routedBack?: { inbound_agents: AgentShare[] | null; fallback_number: string | null };
}

/**
 * One agent's share of a number's calls. version: a tag ("latest_published"), a live version
 * number, or "pushed": the version this push publishes for that agent.
 */
export interface AgentShare {
  agent: string;
  weight: number;
  version?: string | number;
}

export type RetellPlan = ServicePlan<RetellAction>;

export interface RetellPlanOptions {
  /**
   * Numbers drc routed to a backup (retell-route), with what they go back to (agent names,
   * weights, versions; fallback): the push changes that record instead of the live binding.
   */
  routed?: Map<string, { inbound: AgentShare[]; fallback: string | null }>;
}

const NUMBER_FIELDS = ['nickname', 'inbound_webhook_url', 'inbound_sms_webhook_url', 'fallback_number', 'allowed_inbound_country_list', 'allowed_outbound_country_list'];
const SIP_FIELDS = ['termination_uri', 'transport', 'auth_username'] as const;

export function planRetellPush(source: string, desired: RetellConfigState, live: RetellConfigState, options: RetellPlanOptions = {}): RetellPlan {
  const actions: RetellAction[] = [];
  const unchanged: string[] = [];
  const note = (action: RetellAction) => (action.action === 'update' && action.changes.length === 0 ? unchanged.push(`${action.resource} ${action.key}`) : actions.push(action));

  for (const knowledgeBase of sortedBy(desired.knowledgeBases, (kb) => kb.knowledge_base_name)) note(planKnowledgeBase(knowledgeBase, live.knowledgeBases));

  const agents = new Map<string, AgentPlan>();
  const drafts: RetellAction[] = [];
  const claimed = new Set<string>();
  for (const agent of sortedBy(desired.agents, agentKey)) {
    const planned = planAgent(agent, desired, live, claimed);
    agents.set(agentKey(agent), planned);
    for (const action of planned.actions) note(action);
    if (planned.draft) drafts.push(planned.draft);
  }
  drafts.forEach(note);

  const desiredNames = new Map(desired.agents.map((agent) => [agent.agent_id, agentKey(agent)]));
  const liveNames = new Map(live.agents.map((agent) => [agent.agent_id, agentKey(agent)]));
  for (const number of sortedBy(desired.phoneNumbers, (entry) => entry.phone_number)) {
    const record = options.routed?.get(number.phone_number);
    const routedRecord = record ? sharesText(sortedBy(record.inbound, (share) => share.agent)) + `|${record.fallback ?? ''}` : undefined;
    for (const action of planPhoneNumber(number, { desired, live, agents, desiredNames, liveNames, routed: record !== undefined, routedRecord })) note(action);
  }
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

interface AgentPlan {
  actions: RetellAction[];
  draft?: RetellAction;
  /** Waits for a person (a voice to re-clone): numbers that bind it wait too. */
  blocked: boolean;
  /** Written and published by this push. */
  pushed: boolean;
  fingerprint: (version: RetellAgent) => string;
  liveFingerprint: (version: RetellAgent) => string;
  /** Live versions of the matched agent, newest last. */
  liveVersions: RetellAgent[];
  publishedFingerprint: string;
}

function versionsOf(agent: RetellAgent, state: RetellConfigState): RetellAgent[] {
  return sortedBy(state.agentVersions[agent.agent_id] ?? [agent], (version) => String(version.version ?? 0).padStart(8, '0'));
}

function newestPublished(versions: RetellAgent[]): RetellAgent | undefined {
  return versions.filter((version) => version.is_published).at(-1);
}

function planAgent(agent: RetellAgent, desired: RetellConfigState, live: RetellConfigState, claimed: Set<string>): AgentPlan {
  const key = agentKey(agent);
  const channel: 'voice' | 'chat' = agent.channel === 'chat' ? 'chat' : 'voice';
  const versions = versionsOf(agent, desired);
  const production = newestPublished(versions) ?? versions.at(-1)!;
  const publish = production.is_published === true;
  const fingerprint = (version: RetellAgent) => agentFingerprint(version, desired);
  const liveAgent = live.agents.find((entry) => agentKey(entry) === key);
  const liveVersions = liveAgent ? versionsOf(liveAgent, live) : [];
  const liveFingerprint = (version: RetellAgent) => agentFingerprint(version, live);
  const result: AgentPlan = { actions: [], blocked: false, pushed: false, fingerprint, liveFingerprint, liveVersions, publishedFingerprint: fingerprint(production) };

  const voice = resolveVoice(production.voice_id, desired.voices, live.voices);
  if (voice.missing) {
    result.blocked = true;
    result.actions.push({ resource: 'voice', key: voice.missing.voice_name, action: 'manual', changes: [`voice "${voice.missing.voice_name}" (${voice.missing.provider ?? 'cloned'}) is not in this account: clone it again in Retell (Voices → Add voice), then push again; agent ${key} waits for it`] });
    return result;
  }
  const engine = engineOf(production, desired);
  const body = agentBody(production);
  if (!engine) body.response_engine = production.response_engine;
  const liveProduction = newestPublished(liveVersions) ?? liveVersions.at(-1);
  const common = { resource: 'agent' as const, key, channel, voiceId: voice.id, engine, body, publish };
  if (!liveAgent) {
    result.pushed = true;
    result.actions.push({ ...common, action: 'create', changes: publish ? [`publish version ${production.version ?? 0} as production ran it`] : ['never published: created as a draft'], reuseEngineId: reusableEngine(engine, live, claimed) });
  } else if (liveProduction && liveFingerprint(liveProduction) === result.publishedFingerprint) {
    result.actions.push({ ...common, action: 'update', changes: [], liveId: liveAgent.agent_id });
  } else {
    result.pushed = true;
    result.actions.push({ ...common, action: 'update', changes: [`publish a new version with the content of version ${production.version ?? 0}`], liveId: liveAgent.agent_id, baseVersion: liveProduction?.version ?? 0 });
  }
  const latest = versions.at(-1)!;
  if (publish && !latest.is_published && (latest.version ?? 0) > (production.version ?? 0)) {
    const draftVoice = resolveVoice(latest.voice_id, desired.voices, live.voices);
    const liveLatest = liveVersions.at(-1);
    const hasDraft = liveLatest && !liveLatest.is_published && !result.pushed && liveFingerprint(liveLatest) === fingerprint(latest);
    result.draft = {
      resource: 'agent-draft', key, action: 'update', channel, voiceId: draftVoice.id, engine: engineOf(latest, desired), body: agentBody(latest),
      changes: hasDraft ? [] : [`draft version ${latest.version ?? 0} (not published) on top of the published one`],
    };
  }
  return result;
}

/** The live id of a voice: the same id (a public voice), else the same name and provider (a clone made again). */
function resolveVoice(voiceId: string | undefined, desiredVoices: RetellVoice[], liveVoices: RetellVoice[]): { id?: string; missing?: RetellVoice } {
  if (voiceId === undefined) return {};
  if (liveVoices.some((voice) => voice.voice_id === voiceId)) return { id: voiceId };
  const wanted = voiceOf(voiceId, desiredVoices);
  // An older snapshot does not know the voice's name: send the id and let Retell judge.
  if (!wanted) return { id: voiceId };
  const same = liveVoices.find((voice) => voice.voice_name === wanted.voice_name && (voice.provider ?? '') === (wanted.provider ?? ''));
  return same ? { id: same.voice_id } : { missing: wanted };
}

/** A live engine with the same content that no live agent runs: what an earlier push created before it failed. */
function reusableEngine(engine: EngineContent | undefined, live: RetellConfigState, claimed: Set<string>): string | undefined {
  if (!engine) return undefined;
  const wanted = engineFingerprint(engine);
  const used = new Set(Object.values(live.agentVersions).flat().concat(live.agents).map((version) => version.response_engine.llm_id ?? version.response_engine.conversation_flow_id));
  const rows =
    engine.kind === 'retell-llm'
      ? live.llms.map((llm) => ({ id: llm.llm_id, version: { agent_id: '', response_engine: { type: 'retell-llm', llm_id: llm.llm_id, version: llm.version } } }))
      : live.conversationFlows.map((flow) => ({ id: flow.conversation_flow_id, version: { agent_id: '', response_engine: { type: 'conversation-flow', conversation_flow_id: flow.conversation_flow_id, version: flow.version } } }));
  const match = rows.find((row) => !used.has(row.id) && !claimed.has(row.id) && engineFingerprint(engineOf(row.version as RetellAgent, live)) === wanted);
  if (match) claimed.add(match.id);
  return match?.id;
}

interface NumberContext {
  desired: RetellConfigState;
  live: RetellConfigState;
  agents: Map<string, AgentPlan>;
  desiredNames: Map<string, string>;
  liveNames: Map<string, string>;
  routed: boolean;
  /** The route record's binding as text, to tell whether the push changes it. */
  routedRecord?: string;
}

function planPhoneNumber(number: RetellPhoneNumber, context: NumberContext): RetellAction[] {
  const key = number.phone_number;
  const match = context.live.phoneNumbers.find((entry) => entry.phone_number === key);
  if (!match) {
    // Numbers are carrier resources: buying or importing one is a decision (and a bill) for a person.
    const how = number.phone_number_type === 'custom' ? `import it (SIP trunk ${number.sip_outbound_trunk_config?.termination_uri ?? '?'}, username ${number.sip_outbound_trunk_config?.auth_username ?? '?'}, password from the SIP provider)` : 'buy it again or port it in Retell';
    return [{ resource: 'phone-number', key, action: 'manual', changes: [`not in the account: ${how}, then push again to bind it`] }];
  }
  const fields = NUMBER_FIELDS.filter((field) => !(context.routed && field === 'fallback_number'));
  const body: Record<string, unknown> = Object.fromEntries(fields.map((field) => [field, number[field] ?? null]));
  const liveBody: Record<string, unknown> = { ...match };
  if (number.phone_number_type === 'custom') {
    for (const field of SIP_FIELDS) {
      const value = number.sip_outbound_trunk_config?.[field];
      if (value !== undefined && value !== null) body[field] = value;
      liveBody[field] = match.sip_outbound_trunk_config?.[field];
    }
  }
  const changes = diffFields(body, liveBody);
  const bindings: Partial<Record<BindingField, AgentShare[] | null>> = {};
  const waiting: string[] = [];
  let routedBack: RetellAction['routedBack'];
  for (const field of BINDING_FIELDS) {
    if (context.routed && field === 'inbound_agents') {
      const wanted = desiredShares(sharesIn(number, field), context, waiting);
      routedBack = { inbound_agents: wanted.length > 0 ? wanted : null, fallback_number: number.fallback_number ?? null };
      if (context.routedRecord !== sharesText(wanted) + `|${number.fallback_number ?? ''}`) changes.push('what it goes back to when routed back');
      continue;
    }
    const wanted = desiredShares(sharesIn(number, field), context, waiting);
    const current = liveShares(match[field] ?? [], context);
    if (sharesText(wanted) !== sharesText(current)) changes.push(field.replace(/_/g, ' '));
    bindings[field] = wanted.length > 0 ? wanted : null;
  }
  const actions: RetellAction[] = [];
  if (context.routed) actions.push({ resource: 'phone-number', key, action: 'manual', changes: ['routed to a backup by drc (retell-route): keeps the backup until "retell-route to: normal", which then binds what this push sets'] });
  if (waiting.length > 0) {
    actions.push({ resource: 'phone-number', key, action: 'manual', changes: [`waits for ${waiting.join(', ')}: push again once it exists`] });
    return actions;
  }
  actions.push({ resource: 'phone-number', key, action: 'update', changes, body, bindings, ...(routedBack ? { routedBack } : {}) });
  return actions;
}

/**
 * The snapshot's binding, by agent name, each share pinned as production had it: a tag stays a
 * tag; a numeric version becomes the live version with the same fingerprint, or the version this
 * push publishes. Agents the snapshot does not hold cannot be bound: their weight goes to the
 * others (Retell wants the weights to add up to 1).
 */
function desiredShares(shares: Array<{ agent_id: string; weight: number; agent_version?: string | number | null }>, context: NumberContext, waiting: string[]): AgentShare[] {
  const known = shares.filter((share) => context.desiredNames.has(share.agent_id));
  const total = known.reduce((sum, share) => sum + share.weight, 0);
  return sortedBy(
    known.map((share) => {
      const name = context.desiredNames.get(share.agent_id)!;
      const plan = context.agents.get(name)!;
      if (plan.blocked) waiting.push(`agent ${name}`);
      return { agent: name, weight: share.weight / total, ...pinOf(share.agent_version, share.agent_id, plan, context.desired) };
    }),
    (share) => share.agent,
  );
}

function pinOf(version: string | number | null | undefined, agentId: string, plan: AgentPlan, desired: RetellConfigState): { version?: string | number } {
  if (version === undefined || version === null) return {};
  if (typeof version === 'string') return { version };
  const pinned = (desired.agentVersions[agentId] ?? []).find((entry) => entry.version === version);
  const wanted = pinned ? plan.fingerprint(pinned) : plan.publishedFingerprint;
  if (plan.pushed && wanted === plan.publishedFingerprint) return { version: 'pushed' };
  const live = [...plan.liveVersions].reverse().find((entry) => plan.liveFingerprint(entry) === wanted);
  if (live) return { version: live.version ?? 0 };
  return { version: 'pushed' };
}

function liveShares(shares: Array<{ agent_id: string; weight: number; agent_version?: string | number | null }>, context: NumberContext): AgentShare[] {
  return sortedBy(
    shares.map((share) => ({ agent: context.liveNames.get(share.agent_id) ?? share.agent_id, weight: share.weight, ...(share.agent_version !== undefined && share.agent_version !== null ? { version: share.agent_version } : {}) })),
    (share) => share.agent,
  );
}

/** The snapshot's shares of one field; an older snapshot's single-agent fields count as weight 1. */
function sharesIn(number: RetellPhoneNumber, field: BindingField) {
  if (field === 'inbound_agents') return boundAgents(number, 'inbound');
  if (field === 'outbound_agents') return boundAgents(number, 'outbound');
  return number[field] ?? [];
}

function sharesText(shares: AgentShare[]): string {
  return shares.map((share) => `${share.agent} ${share.weight.toFixed(6)} ${share.version ?? ''}`).join('\n');
}

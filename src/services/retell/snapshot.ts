import { errorMessage } from '../../errors.js';
import { collectAgentSummaries, collectCalls, collectListing, type RetellClient } from './client.js';
import {
  RETELL_SNAPSHOT_FORMAT,
  type RetellAgent,
  type RetellConfigState,
  type RetellFlow,
  type RetellVoice,
  type RetellKnowledgeBase,
  type RetellLlm,
  type RetellPhoneNumber,
  type RetellSnapshot,
} from './types.js';

export interface RetellSnapshotOptions {
  /** Days of calls to keep. Default: all. */
  callsDays?: number;
  /** Keep recording URLs (signed, they expire; off by default). */
  recordings?: boolean;
  /** Problems that do not spoil the snapshot (a knowledge-base text that could not be read). */
  onWarning?: (message: string) => void;
  now?: Date;
}

export async function fetchRetellSnapshot(client: RetellClient, options: RetellSnapshotOptions = {}): Promise<RetellSnapshot> {
  const now = options.now ?? new Date();
  const state = await fetchRetellConfig(client, options.onWarning);
  // A snapshot keeps the voices its agents use (to find or re-clone them in a new account), not the catalogue.
  const used = new Set(state.agents.flatMap((agent) => (state.agentVersions[agent.agent_id] ?? [agent]).map((version) => version.voice_id)));
  const voices = state.voices.filter((voice) => used.has(voice.voice_id));
  const filter = options.callsDays ? { start_timestamp: { type: 'number', op: 'ge', value: now.getTime() - options.callsDays * 86_400_000 } } : {};
  const calls = (await collectCalls(client, filter)).map((call) => (options.recordings ? call : withoutRecordings(call)));
  return { format: RETELL_SNAPSHOT_FORMAT, source: client.source, takenAt: now.toISOString(), baseUrl: client.baseUrl, ...state, voices, calls };
}

/**
 * The configuration (what a push compares against): knowledge bases, every version of every
 * voice and chat agent, the LLM and conversation-flow versions those versions point at (a
 * published agent version runs exactly those), the account's voices and the phone numbers.
 */
export async function fetchRetellConfig(client: RetellClient, onWarning: (message: string) => void = () => {}): Promise<RetellConfigState> {
  const knowledgeBases = await client.request<RetellKnowledgeBase[]>({ path: '/list-knowledge-bases' });
  for (const knowledgeBase of knowledgeBases) knowledgeBase.texts = await readKnowledgeBaseTexts(knowledgeBase, onWarning);
  const llms = newestVersions(await collectListing<RetellLlm>(client, '/v2/list-retell-llms'), (llm) => llm.llm_id);
  const conversationFlows = newestVersions(await collectListing<RetellFlow>(client, '/v2/list-conversation-flows'), (flow) => flow.conversation_flow_id);
  const agents: RetellAgent[] = [];
  const agentVersions: Record<string, RetellAgent[]> = {};
  for (const channel of ['voice', 'chat'] as const) {
    const prefix = channel === 'voice' ? '' : 'chat-';
    for (const summary of await collectAgentSummaries(client, channel)) {
      const id = encodeURIComponent(summary.agent_id);
      const versions = (await client.request<RetellAgent[]>({ path: `/get-${prefix}agent-versions/${id}` })).map((version) => ({ ...version, channel }));
      agentVersions[summary.agent_id] = versions;
      agents.push({ ...(await client.request<RetellAgent>({ path: `/get-${prefix}agent/${id}` })), channel });
    }
  }
  // Each agent version names its engine's version; those are read too, so a push rebuilds what ran.
  for (const version of Object.values(agentVersions).flat()) {
    const engine = version.response_engine;
    if (engine.version === undefined || engine.version === null) continue;
    if (engine.type === 'retell-llm' && engine.llm_id && !llms.some((llm) => llm.llm_id === engine.llm_id && llm.version === engine.version)) {
      llms.push(await client.request<RetellLlm>({ path: `/get-retell-llm/${encodeURIComponent(engine.llm_id)}`, query: { version: engine.version } }));
    }
    const flowId = engine.conversation_flow_id;
    if (engine.type === 'conversation-flow' && flowId && !conversationFlows.some((flow) => flow.conversation_flow_id === flowId && flow.version === engine.version)) {
      conversationFlows.push(await client.request<RetellFlow>({ path: `/get-conversation-flow/${encodeURIComponent(flowId)}`, query: { version: engine.version } }));
    }
  }
  const voices = await client.request<RetellVoice[]>({ path: '/list-voices' });
  const phoneNumbers = await collectListing<RetellPhoneNumber>(client, '/v2/list-phone-numbers');
  return { knowledgeBases, llms, conversationFlows, agents, agentVersions, voices, phoneNumbers };
}

/** A listing may hold several versions of one LLM; the newest is the live one. */
function newestVersions<T extends { version?: number }>(items: T[], idOf: (item: T) => string): T[] {
  const newest = new Map<string, T>();
  for (const item of items) {
    const seen = newest.get(idOf(item));
    if (!seen || (item.version ?? 0) > (seen.version ?? 0)) newest.set(idOf(item), item);
  }
  return [...newest.values()];
}

/**
 * Text sources are only listed with a stored URL; the text itself is read now, because a
 * rebuild needs it and the URL may be gone by then. The URL is storage, not the API: no key.
 */
async function readKnowledgeBaseTexts(knowledgeBase: RetellKnowledgeBase, onWarning: (message: string) => void) {
  const texts: Array<{ title: string; text: string }> = [];
  for (const source of knowledgeBase.knowledge_base_sources ?? []) {
    if (source.type !== 'text' || typeof source.content_url !== 'string') continue;
    try {
      const response = await fetch(source.content_url, { signal: AbortSignal.timeout(30_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      texts.push({ title: source.title ?? source.source_id, text: await response.text() });
    } catch (error) {
      onWarning(`knowledge base "${knowledgeBase.knowledge_base_name}": text "${source.title ?? source.source_id}" not readable (${errorMessage(error)}); it cannot be rebuilt from this snapshot`);
    }
  }
  return texts;
}

function withoutRecordings<T extends Record<string, unknown>>(call: T): T {
  return Object.fromEntries(Object.entries(call).filter(([key]) => !key.includes('recording'))) as T;
}

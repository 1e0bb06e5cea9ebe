import { createHash } from 'node:crypto';
import { withoutKeys } from '../plan.js';
import type { RetellAgent, RetellConfigState, RetellFlow, RetellLlm, RetellVoice } from './types.js';

/**
 * What an agent version *is*, independent of the account it lives in: its settings, the content
 * of the LLM or conversation-flow version it runs (knowledge bases by name), and its voice by
 * name. Two versions with the same fingerprint answer calls the same way, so a push can tell
 * "production ran this" from "this differs" across accounts whose ids and version numbers
 * differ, and find an LLM it created before a failed push (same content) instead of creating
 * it twice.
 */
const AGENT_OUTPUT_ONLY = ['agent_id', 'version', 'is_published', 'base_version', 'last_modification_timestamp', 'response_engine', 'channel', 'voice_id', 'version_title', 'version_description'];
const ENGINE_OUTPUT_ONLY = ['llm_id', 'conversation_flow_id', 'version', 'base_version', 'is_published', 'last_modification_timestamp', 'knowledge_base_ids'];

export type EngineKind = 'retell-llm' | 'conversation-flow';

export interface EngineContent {
  kind: EngineKind;
  body: Record<string, unknown>;
  knowledgeBaseNames: string[];
}

type State = Pick<RetellConfigState, 'llms' | 'conversationFlows' | 'knowledgeBases' | 'voices'>;

export function agentBody(version: RetellAgent): Record<string, unknown> {
  return withoutKeys(version, AGENT_OUTPUT_ONLY);
}

/** The engine version an agent version runs (undefined for a custom LLM: nothing to rebuild). */
export function engineOf(version: RetellAgent, state: State): EngineContent | undefined {
  const engine = version.response_engine;
  const kbNames = (ids: string[] | null | undefined) => (ids ?? []).map((id) => state.knowledgeBases.find((kb) => kb.knowledge_base_id === id)?.knowledge_base_name ?? id).sort();
  const pick = <T extends { version?: number }>(rows: T[], matches: (row: T) => boolean): T | undefined => {
    const candidates = rows.filter(matches);
    return candidates.find((row) => row.version === engine.version) ?? candidates.reduce<T | undefined>((newest, row) => (!newest || (row.version ?? 0) > (newest.version ?? 0) ? row : newest), undefined);
  };
  if (engine.type === 'retell-llm') {
    const llm = pick<RetellLlm>(state.llms, (row) => row.llm_id === engine.llm_id);
    return llm ? { kind: 'retell-llm', body: withoutKeys(llm, ENGINE_OUTPUT_ONLY), knowledgeBaseNames: kbNames(llm.knowledge_base_ids) } : undefined;
  }
  if (engine.type === 'conversation-flow') {
    const flow = pick<RetellFlow>(state.conversationFlows, (row) => row.conversation_flow_id === engine.conversation_flow_id);
    return flow ? { kind: 'conversation-flow', body: withoutKeys(flow, ENGINE_OUTPUT_ONLY), knowledgeBaseNames: kbNames(flow.knowledge_base_ids) } : undefined;
  }
  return undefined;
}

export function voiceOf(voiceId: string | undefined, voices: RetellVoice[]): RetellVoice | undefined {
  return voiceId === undefined ? undefined : voices.find((voice) => voice.voice_id === voiceId);
}

export function engineFingerprint(engine: EngineContent | undefined): string {
  return hash({ engine: engine ?? null });
}

export function agentFingerprint(version: RetellAgent, state: State): string {
  const voice = voiceOf(version.voice_id, state.voices);
  const engine = engineOf(version, state);
  return hash({
    agent: agentBody(version),
    voice: voice ? `${voice.provider ?? ''}/${voice.voice_name}` : (version.voice_id ?? null),
    engine: engine ?? { custom: version.response_engine },
  });
}

function hash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
}

/** JSON with sorted keys and without nulls: null and missing mean the same to Retell. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, entry]) => entry !== null && entry !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${stableJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

import { z } from 'zod';

/**
 * The Retell AI state drc keeps, as the API returns it (unknown fields kept): agents with all
 * their versions, the Retell LLMs behind them, knowledge bases (with the text of text
 * sources, whose stored URLs may expire), phone numbers with their agent bindings, and calls.
 */
export const RETELL_SNAPSHOT_FORMAT = 'drc-retell-snapshot/1';

export const retellAgentSchema = z.looseObject({
  agent_id: z.string(),
  agent_name: z.string().nullable().optional(),
  /** "voice" or "chat" (chat/SMS agents); older snapshots hold voice agents only. */
  channel: z.string().optional(),
  version: z.number().optional(),
  is_published: z.boolean().optional(),
  voice_id: z.string().optional(),
  response_engine: z.looseObject({
    type: z.string(),
    llm_id: z.string().optional(),
    conversation_flow_id: z.string().optional(),
    version: z.number().nullable().optional(),
  }),
});

export const retellLlmSchema = z.looseObject({
  llm_id: z.string(),
  version: z.number().optional(),
  general_prompt: z.string().nullable().optional(),
  knowledge_base_ids: z.array(z.string()).nullable().optional(),
});

export const retellFlowSchema = z.looseObject({
  conversation_flow_id: z.string(),
  version: z.number().optional(),
  knowledge_base_ids: z.array(z.string()).nullable().optional(),
});

/** voice.ts VoiceResponse: a cloned voice exists only in the account that cloned it. */
export const retellVoiceSchema = z.looseObject({ voice_id: z.string(), voice_name: z.string(), provider: z.string().optional() });

/** One entry of a weighted binding; agent_version is a number or a tag ("latest_published"). */
const agentWeightSchema = z.looseObject({
  agent_id: z.string(),
  weight: z.number(),
  agent_version: z.union([z.number(), z.string()]).nullable().optional(),
});

export const retellPhoneNumberSchema = z.looseObject({
  phone_number: z.string(),
  phone_number_type: z.string().optional(),
  nickname: z.string().nullable().optional(),
  inbound_agents: z.array(agentWeightSchema).nullable().optional(),
  outbound_agents: z.array(agentWeightSchema).nullable().optional(),
  /** Single-agent fields of snapshots taken before Retell retired them (03/31/2026). */
  inbound_agent_id: z.string().nullable().optional(),
  outbound_agent_id: z.string().nullable().optional(),
  inbound_webhook_url: z.string().nullable().optional(),
  inbound_sms_agents: z.array(agentWeightSchema).nullable().optional(),
  outbound_sms_agents: z.array(agentWeightSchema).nullable().optional(),
  fallback_number: z.string().nullable().optional(),
  allowed_inbound_country_list: z.array(z.string()).nullable().optional(),
  allowed_outbound_country_list: z.array(z.string()).nullable().optional(),
  sip_outbound_trunk_config: z.looseObject({ termination_uri: z.string().nullable().optional(), transport: z.string().nullable().optional(), auth_username: z.string().nullable().optional() }).nullable().optional(),
});

const knowledgeBaseSource = z.looseObject({ type: z.string(), source_id: z.string(), title: z.string().optional(), url: z.string().optional(), filename: z.string().optional() });

export const retellKnowledgeBaseSchema = z.looseObject({
  knowledge_base_id: z.string(),
  knowledge_base_name: z.string(),
  knowledge_base_sources: z.array(knowledgeBaseSource).optional(),
  enable_auto_refresh: z.boolean().optional(),
  /** Added by drc: the content of each text source, read from its content_url at backup time. */
  texts: z.array(z.object({ title: z.string(), text: z.string() })).optional(),
});

export const retellSnapshotSchema = z.object({
  format: z.literal(RETELL_SNAPSHOT_FORMAT),
  source: z.string(),
  takenAt: z.string(),
  baseUrl: z.string(),
  knowledgeBases: z.array(retellKnowledgeBaseSchema),
  /** Every version of each LLM an agent version points at (llm_id + version), and the newest of each. */
  llms: z.array(retellLlmSchema),
  conversationFlows: z.array(retellFlowSchema).default([]),
  /** The newest version of each agent, voice and chat. */
  agents: z.array(retellAgentSchema),
  /** Every version of each agent, keyed by agent_id: which one is published is what production ran. */
  agentVersions: z.record(z.string(), z.array(retellAgentSchema)),
  /** The voices the agents use (a snapshot) or every voice of the account (live). */
  voices: z.array(retellVoiceSchema).default([]),
  phoneNumbers: z.array(retellPhoneNumberSchema),
  /** Archive only: never pushed back. */
  calls: z.array(z.looseObject({ call_id: z.string() })),
});

export type RetellSnapshot = z.infer<typeof retellSnapshotSchema>;
export type RetellAgent = z.infer<typeof retellAgentSchema>;
export type RetellLlm = z.infer<typeof retellLlmSchema>;
export type RetellPhoneNumber = z.infer<typeof retellPhoneNumberSchema>;
export type RetellKnowledgeBase = z.infer<typeof retellKnowledgeBaseSchema>;
export type RetellAgentWeight = z.infer<typeof agentWeightSchema>;
export type RetellFlow = z.infer<typeof retellFlowSchema>;
export type RetellVoice = z.infer<typeof retellVoiceSchema>;

/** What the push planner compares against: the live configuration, without the calls archive. */
export type RetellConfigState = Omit<RetellSnapshot, 'format' | 'source' | 'takenAt' | 'baseUrl' | 'calls'>;

export function countRetellSnapshot(snapshot: RetellSnapshot): Record<string, number> {
  return {
    agents: snapshot.agents.length,
    agentVersions: Object.values(snapshot.agentVersions).reduce((sum, list) => sum + list.length, 0),
    llms: snapshot.llms.length,
    conversationFlows: snapshot.conversationFlows.length,
    voices: snapshot.voices.length,
    knowledgeBases: snapshot.knowledgeBases.length,
    phoneNumbers: snapshot.phoneNumbers.length,
    calls: snapshot.calls.length,
  };
}

/** How agents are matched across accounts: by name (chat agents marked); an unnamed agent only matches itself. */
export function agentKey(agent: RetellAgent): string {
  const name = agent.agent_name ?? `(unnamed ${agent.agent_id})`;
  return agent.channel === 'chat' ? `${name} (chat)` : name;
}

/** Numbers bought through Retell cannot be forwarded at a carrier while Retell is down; imported (SIP) ones can. */
export function isForwardable(number: RetellPhoneNumber): boolean {
  return number.phone_number_type === 'custom';
}

/**
 * The agents a number hands its inbound or outbound calls to, with their weights: the
 * weighted list Retell answers now, or the single agent of an older snapshot (weight 1).
 */
export type BindingField = 'inbound_agents' | 'outbound_agents' | 'inbound_sms_agents' | 'outbound_sms_agents';
export const BINDING_FIELDS: BindingField[] = ['inbound_agents', 'outbound_agents', 'inbound_sms_agents', 'outbound_sms_agents'];

export function boundAgents(number: RetellPhoneNumber, direction: 'inbound' | 'outbound' | 'inbound_sms' | 'outbound_sms'): RetellAgentWeight[] {
  const weighted = number[`${direction}_agents`];
  if (direction === 'inbound_sms' || direction === 'outbound_sms') return weighted ?? [];
  if (weighted && weighted.length > 0) return weighted;
  const legacy = number[`${direction}_agent_id`];
  return legacy ? [{ agent_id: legacy, weight: 1 }] : [];
}

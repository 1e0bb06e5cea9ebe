import { randomBytes } from 'node:crypto';
import type { FakeReply } from './http-fake.js';
import type { RetellFakeState, Row } from './retell-server.js';
import type { VersionedStore } from './retell-versions.js';

export const newId = (prefix: string) => `${prefix}_${randomBytes(11).toString('hex')}`;

const BOOKING_TOOL = {
  type: 'custom', name: 'termin_buchen', url: 'https://api.askproai.de/api/retell/book', description: 'Bucht "Beratung 30 min" in Cal.com', speak_during_execution: true,
  parameters: { type: 'object', properties: { datum: { type: 'string' }, uhrzeit: { type: 'string' } }, required: ['datum', 'uhrzeit'] },
};

/** Versions 0…n-1 of one resource, each changed by `vary`, the first `published` of them published. */
function versions(store: VersionedStore, id: string, base: Row, count: number, published: number, vary: (version: number) => Row): Row[] {
  const rows = Array.from({ length: count }, (_, version) => ({ ...base, ...vary(version), [store.idKey]: id, version, is_published: version < published,
    last_modification_timestamp: Date.UTC(2026, 0, 2 + version) }));
  store.versions.set(id, rows);
  return rows;
}

/**
 * AskProAI's phone reception: agent "Empfang" (Retell LLM, a cloned voice) answers the main
 * number pinned to its published version 1 while version 2 is a draft being edited; "Rückruf"
 * (a conversation flow) calls back; "Notfall" is the backup agent that takes messages;
 * "Chat-Empfang" answers SMS. The main number is bought through Retell; a second one is an
 * imported SIP number (it can be forwarded at the carrier while Retell is down).
 */
export function seedAskPro(state: RetellFakeState, createKnowledgeBase: (form: FormData) => FakeReply, calls: number): void {
  const form = new FormData();
  form.set('knowledge_base_name', 'AskPro Preise');
  form.set('knowledge_base_texts', JSON.stringify([{ title: 'Preisliste', text: 'Beratung 30 min: 49 Euro. Erstgespräch 15 min: kostenlos.' }]));
  form.set('knowledge_base_urls', JSON.stringify(['https://askproai.de/faq']));
  const kb = createKnowledgeBase(form).body as Row;

  for (const voice of [
    { voice_id: '11labs-Anna', voice_name: 'Anna', provider: 'elevenlabs', gender: 'female', accent: 'German' },
    { voice_id: '11labs-Max', voice_name: 'Max', provider: 'elevenlabs', gender: 'male', accent: 'German' },
    { voice_id: 'custom_voice_5a1f0c', voice_name: 'AskPro Stimme (Klon)', provider: 'elevenlabs', gender: 'female', is_clone: true },
  ]) state.voices.set(voice.voice_id, voice);

  const llmBase = { model: 'gpt-4.1', model_temperature: 0.2, start_speaker: 'agent', general_tools: [{ type: 'end_call', name: 'end_call', description: 'Gespräch freundlich beenden' }, BOOKING_TOOL] };
  const empfangLlm = newId('llm');
  versions(state.llms, empfangLlm, { ...llmBase, knowledge_base_ids: [kb.knowledge_base_id], begin_message: 'Guten Tag, AskProAI, Sie sprechen mit dem digitalen Empfang. Wie kann ich helfen?' }, 3, 2,
    (version) => ({ general_prompt: `Du bist der freundliche telefonische Empfang von AskProAI (Fassung ${version + 1}). Buche Termine für "Beratung 30 min" mit termin_buchen.` }));
  const notfallLlm = newId('llm');
  versions(state.llms, notfallLlm, { ...llmBase, general_tools: [{ type: 'end_call', name: 'end_call', description: 'Gespräch beenden' }], knowledge_base_ids: [],
    begin_message: 'AskProAI, guten Tag. Wir haben gerade eine Störung; ich nehme Ihr Anliegen auf.' }, 1, 1, () => ({ general_prompt: 'Nimm Name, Telefonnummer und Anliegen auf. Versprich einen Rückruf.' }));
  const chatLlm = newId('llm');
  versions(state.llms, chatLlm, { ...llmBase, knowledge_base_ids: [], begin_message: null }, 1, 1, () => ({ general_prompt: 'Beantworte SMS an AskProAI kurz und freundlich.' }));
  const flow = newId('conversation_flow');
  versions(state.flows, flow, { model_choice: { type: 'cascading', model: 'gpt-4.1' }, start_speaker: 'agent', start_node_id: 'begruessung', global_prompt: 'Du rufst Kunden zurück.',
    nodes: [
      { id: 'begruessung', type: 'conversation', instruction: { type: 'static_text', text: 'Hallo, hier ist AskProAI mit Ihrem Rückruf.' }, edges: [{ id: 'e1', destination_node_id: 'ende', transition_condition: { type: 'prompt', prompt: 'Anliegen geklärt' } }] },
      { id: 'ende', type: 'end' },
    ], tools: [], knowledge_base_ids: [] }, 1, 1, () => ({}));

  const agentBase = { channel: 'voice', language: 'de-DE', webhook_url: 'https://api.askproai.de/api/retell/webhook' };
  const empfang = newId('agent');
  versions(state.agents, empfang, { ...agentBase, agent_name: 'Empfang', voice_id: 'custom_voice_5a1f0c' }, 3, 2, (version) => ({
    response_engine: { type: 'retell-llm', llm_id: empfangLlm, version }, interruption_sensitivity: [1, 0.8, 0.7][version], base_version: version === 0 ? null : version - 1,
  }));
  const rueckruf = newId('agent');
  versions(state.agents, rueckruf, { ...agentBase, agent_name: 'Rückruf', voice_id: '11labs-Max', response_engine: { type: 'conversation-flow', conversation_flow_id: flow, version: 0 } }, 1, 1, () => ({}));
  const notfall = newId('agent');
  versions(state.agents, notfall, { ...agentBase, agent_name: 'Notfall', voice_id: '11labs-Anna', response_engine: { type: 'retell-llm', llm_id: notfallLlm, version: 0 } }, 1, 1, () => ({}));
  const chat = newId('chat_agent');
  versions(state.agents, chat, { channel: 'chat', agent_name: 'Chat-Empfang', language: 'de-DE', response_engine: { type: 'retell-llm', llm_id: chatLlm, version: 0 } }, 1, 1, () => ({}));

  state.phoneNumbers.set('+4930120045678', {
    phone_number: '+4930120045678', phone_number_pretty: '+49 30 12004567 8', phone_number_type: 'retell-twilio', nickname: 'Hauptnummer',
    inbound_agents: [{ agent_id: empfang, weight: 1, agent_version: 1 }], outbound_agents: [{ agent_id: rueckruf, weight: 1 }],
    inbound_sms_agents: [{ agent_id: chat, weight: 1 }], inbound_webhook_url: null, fallback_number: '+4930120045000',
    allowed_inbound_country_list: ['DE', 'AT', 'CH'], allowed_outbound_country_list: ['DE'], last_modification_timestamp: Date.UTC(2026, 0, 3),
  });
  state.phoneNumbers.set('+4930120045999', {
    phone_number: '+4930120045999', phone_number_pretty: '+49 30 12004599 9', phone_number_type: 'custom', nickname: 'Nebenstelle (SIP)',
    inbound_agents: [{ agent_id: empfang, weight: 1, agent_version: 'latest_published' }], outbound_agents: null, inbound_webhook_url: null, fallback_number: null,
    sip_outbound_trunk_config: { termination_uri: 'askpro.pstn.example.net', transport: 'TLS', auth_username: 'askpro' }, last_modification_timestamp: Date.UTC(2026, 0, 4),
  });
  for (let i = 0; i < calls; i += 1) {
    const start = Date.UTC(2026, 0, 5, 8) + i * 600_000;
    state.calls.push({
      call_id: `call_${i.toString(16).padStart(6, '0')}`, call_type: 'phone_call', agent_id: empfang, agent_version: 1, call_status: 'ended',
      direction: 'inbound', from_number: `+49151000${String(i).padStart(5, '0')}`, to_number: '+4930120045678', start_timestamp: start, end_timestamp: start + 95_000,
      duration_ms: 95_000, transcript: `Agent: Guten Tag, AskProAI.\nUser: Ich möchte eine Beratung buchen (${i}).`,
      recording_url: `https://recordings.example/call_${i}.wav?signature=expiring`,
    });
  }
}

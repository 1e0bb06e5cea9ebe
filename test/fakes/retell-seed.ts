import { randomBytes } from 'node:crypto';
import type { FakeReply } from './http-fake.js';
import type { RetellFakeState, Row } from './retell-server.js';

export const newId = (prefix: string) => `${prefix}_${randomBytes(11).toString('hex')}`;

/** AskProAI's phone reception: agent "Empfang" answers the main number and books via Cal.com. */
export function seedAskPro(state: RetellFakeState, createKnowledgeBase: (form: FormData) => FakeReply, calls: number): void {
  const form = new FormData();
  form.set('knowledge_base_name', 'AskPro Preise');
  form.set('knowledge_base_texts', JSON.stringify([{ title: 'Preisliste', text: 'Beratung 30 min: 49 Euro. Erstgespräch 15 min: kostenlos.' }]));
  form.set('knowledge_base_urls', JSON.stringify(['https://askproai.de/faq']));
  const kb = createKnowledgeBase(form).body as Row;

  const llm = (id: string, prompt: string, begin: string, kbIds: string[]): Row => ({
    llm_id: id, version: 0, is_published: true, last_modification_timestamp: Date.UTC(2026, 0, 2), model: 'gpt-4.1', model_temperature: 0.2,
    general_prompt: prompt, begin_message: begin, start_speaker: 'agent', knowledge_base_ids: kbIds,
    general_tools: [
      { type: 'end_call', name: 'end_call', description: 'Gespräch freundlich beenden' },
      { type: 'custom', name: 'termin_buchen', url: 'https://api.askproai.de/api/retell/book', description: 'Bucht "Beratung 30 min" in Cal.com', speak_during_execution: true,
        parameters: { type: 'object', properties: { datum: { type: 'string' }, uhrzeit: { type: 'string' } }, required: ['datum', 'uhrzeit'] } },
    ],
  });
  const empfangLlm = llm(newId('llm'), 'Du bist der freundliche telefonische Empfang von AskProAI. Buche Termine für "Beratung 30 min".',
    'Guten Tag, AskProAI, Sie sprechen mit dem digitalen Empfang. Wie kann ich helfen?', [String(kb.knowledge_base_id)]);
  const rueckrufLlm = llm(newId('llm'), 'Du rufst Kunden zurück, die einen Rückruf angefordert haben.', 'Hallo, hier ist AskProAI mit Ihrem Rückruf.', []);
  state.llms.set(String(empfangLlm.llm_id), empfangLlm);
  state.llms.set(String(rueckrufLlm.llm_id), rueckrufLlm);

  const agent = (name: string, llmRow: Row, voice: string, versions: number): Row[] => {
    const agentId = newId('agent');
    return Array.from({ length: versions }, (_, version) => ({
      agent_id: agentId, agent_name: name, version, is_published: version < versions - 1, voice_id: voice, language: 'de-DE',
      response_engine: { type: 'retell-llm', llm_id: llmRow.llm_id, version: 0 }, webhook_url: 'https://api.askproai.de/api/retell/webhook',
      interruption_sensitivity: version === versions - 1 ? 0.8 : 1, last_modification_timestamp: Date.UTC(2026, 0, 2 + version),
    }));
  };
  const empfang = agent('Empfang', empfangLlm, '11labs-Anna', 2);
  const rueckruf = agent('Rückruf', rueckrufLlm, '11labs-Max', 1);
  state.agents.set(String(empfang[0]!.agent_id), empfang);
  state.agents.set(String(rueckruf[0]!.agent_id), rueckruf);

  state.phoneNumbers.set('+4930120045678', {
    phone_number: '+4930120045678', phone_number_pretty: '+49 30 12004567 8', phone_number_type: 'retell-twilio', nickname: 'Hauptnummer',
    inbound_agents: [{ agent_id: empfang[0]!.agent_id, weight: 1 }], outbound_agents: [{ agent_id: rueckruf[0]!.agent_id, weight: 1 }], inbound_webhook_url: null,
    last_modification_timestamp: Date.UTC(2026, 0, 3),
  });
  for (let i = 0; i < calls; i += 1) {
    const start = Date.UTC(2026, 0, 5, 8) + i * 600_000;
    state.calls.push({
      call_id: `call_${i.toString(16).padStart(6, '0')}`, call_type: 'phone_call', agent_id: empfang[0]!.agent_id, agent_version: 1, call_status: 'ended',
      direction: 'inbound', from_number: `+49151000${String(i).padStart(5, '0')}`, to_number: '+4930120045678', start_timestamp: start, end_timestamp: start + 95_000,
      duration_ms: 95_000, transcript: `Agent: Guten Tag, AskProAI.\nUser: Ich möchte eine Beratung buchen (${i}).`,
      recording_url: `https://recordings.example/call_${i}.wav?signature=expiring`,
    });
  }
}

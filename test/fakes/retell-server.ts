import { randomBytes } from 'node:crypto';
import { matchPath, startFakeServer, type FakeFailure, type FakeReply, type FakeRequest } from './http-fake.js';

/**
 * A local Retell AI API for tests: Bearer key, bare JSON arrays for lists, list-agents and
 * list-retell-llms paged by pagination_key + pagination_key_version, POST /v2/list-calls paged
 * by pagination_key, multipart create-knowledge-base, server-assigned ids, and state that
 * pushes really change. Knowledge-base texts are served at an unauthenticated storage URL.
 */
type Row = Record<string, unknown>;

export interface RetellFakeState {
  /** Every version of each agent, oldest first. */
  agents: Map<string, Row[]>;
  llms: Map<string, Row>;
  knowledgeBases: Map<string, Row>;
  /** Text of each knowledge-base text source, by source_id. */
  texts: Map<string, string>;
  phoneNumbers: Map<string, Row>;
  calls: Row[];
}

export interface RetellFake {
  url: string;
  apiKey: string;
  state: RetellFakeState;
  requests: Array<{ method: string; path: string; headers: Record<string, string | string[] | undefined> }>;
  failNext(count: number, failure: FakeFailure): void;
  /** Deletes agents, LLMs, knowledge bases and calls; unbinds the numbers (or deletes them too). */
  wipe(options?: { phoneNumbers?: boolean }): void;
  close(): Promise<void>;
}

const newId = (prefix: string) => `${prefix}_${randomBytes(11).toString('hex')}`;

export async function startRetellFake(options: { apiKey: string; seed?: boolean; calls?: number }): Promise<RetellFake> {
  const state: RetellFakeState = { agents: new Map(), llms: new Map(), knowledgeBases: new Map(), texts: new Map(), phoneNumbers: new Map(), calls: [] };
  let baseUrl = '';
  const fail = (status: number, message: string): FakeReply => ({ status, body: { status: 'error', message } });
  const ok = (body: unknown, status = 200): FakeReply => ({ status, body });
  const latest = (agentId: string) => state.agents.get(agentId)?.at(-1);

  function listVersioned(rows: Row[], idKey: string, req: FakeRequest): FakeReply {
    const sorted = [...rows].sort((a, b) => String(a[idKey]).localeCompare(String(b[idKey])) || Number(a.version) - Number(b.version));
    const limit = Number(req.query.get('limit') ?? 1000);
    const key = req.query.get('pagination_key');
    const version = Number(req.query.get('pagination_key_version') ?? 0);
    const start = key ? sorted.findIndex((row) => row[idKey] === key && Number(row.version) === version) + 1 : 0;
    return ok(sorted.slice(start, start + limit));
  }

  function createKnowledgeBase(form: FormData | undefined): FakeReply {
    const name = form?.get('knowledge_base_name');
    if (typeof name !== 'string' || name.length === 0 || name.length >= 40) return fail(400, 'knowledge_base_name is required (under 40 characters)');
    const kb: Row = { knowledge_base_id: newId('knowledge_base'), knowledge_base_name: name, status: 'complete', knowledge_base_sources: [],
      enable_auto_refresh: form?.get('enable_auto_refresh') === 'true' };
    addSources(kb, form);
    state.knowledgeBases.set(String(kb.knowledge_base_id), kb);
    return ok(kb, 201);
  }

  function addSources(kb: Row, form: FormData | undefined): void {
    const sources = kb.knowledge_base_sources as Row[];
    for (const text of JSON.parse(String(form?.get('knowledge_base_texts') ?? '[]')) as Array<{ title: string; text: string }>) {
      const sourceId = newId('source');
      state.texts.set(sourceId, text.text);
      sources.push({ type: 'text', source_id: sourceId, title: text.title, content_url: `${baseUrl}/kb-content/${sourceId}` });
    }
    for (const url of JSON.parse(String(form?.get('knowledge_base_urls') ?? '[]')) as string[]) {
      sources.push({ type: 'url', source_id: newId('source'), url });
    }
  }

  type Route = [method: string, pattern: string, handler: (req: FakeRequest, params: Record<string, string>) => FakeReply];
  const routes: Route[] = [
    ['GET', '/list-agents', (req) => listVersioned([...state.agents.values()].flat(), 'agent_id', req)],
    ['GET', '/get-agent/:id', (_req, p) => (latest(p.id!) ? ok(latest(p.id!)) : fail(404, 'agent not found'))],
    ['GET', '/get-agent-versions/:id', (_req, p) => (state.agents.has(p.id!) ? ok(state.agents.get(p.id!)) : fail(404, 'agent not found'))],
    ['POST', '/create-agent', (req) => {
      const body = req.body as Row;
      const engine = body.response_engine as Row | undefined;
      if (!engine || typeof body.voice_id !== 'string') return fail(400, 'response_engine and voice_id are required');
      if (engine.type === 'retell-llm' && !state.llms.has(String(engine.llm_id))) return fail(400, `llm ${String(engine.llm_id)} does not exist`);
      const agent: Row = { ...body, agent_id: newId('agent'), version: 0, is_published: false, last_modification_timestamp: Date.now() };
      state.agents.set(String(agent.agent_id), [agent]);
      return ok(agent, 201);
    }],
    ['PATCH', '/update-agent/:id', (req, p) => {
      const agent = latest(p.id!);
      if (!agent) return fail(404, 'agent not found');
      const engine = (req.body as Row).response_engine as Row | undefined;
      if (engine?.type === 'retell-llm' && !state.llms.has(String(engine.llm_id))) return fail(400, `llm ${String(engine.llm_id)} does not exist`);
      Object.assign(agent, req.body as Row, { agent_id: agent.agent_id, version: agent.version, last_modification_timestamp: Date.now() });
      return ok(agent);
    }],
    ['GET', '/list-retell-llms', (req) => listVersioned([...state.llms.values()], 'llm_id', req)],
    ['GET', '/get-retell-llm/:id', (_req, p) => (state.llms.has(p.id!) ? ok(state.llms.get(p.id!)) : fail(404, 'llm not found'))],
    ['POST', '/create-retell-llm', (req) => {
      const body = req.body as Row;
      const missing = ((body.knowledge_base_ids as string[] | undefined) ?? []).find((kbId) => !state.knowledgeBases.has(kbId));
      if (missing) return fail(400, `knowledge base ${missing} does not exist`);
      const llm: Row = { ...body, llm_id: newId('llm'), version: 0, is_published: false, last_modification_timestamp: Date.now() };
      state.llms.set(String(llm.llm_id), llm);
      return ok(llm, 201);
    }],
    ['PATCH', '/update-retell-llm/:id', (req, p) => {
      const llm = state.llms.get(p.id!);
      if (!llm) return fail(404, 'llm not found');
      Object.assign(llm, req.body as Row, { llm_id: llm.llm_id, version: llm.version, last_modification_timestamp: Date.now() });
      return ok(llm);
    }],
    ['GET', '/list-knowledge-bases', () => ok([...state.knowledgeBases.values()])],
    ['GET', '/get-knowledge-base/:id', (_req, p) => (state.knowledgeBases.has(p.id!) ? ok(state.knowledgeBases.get(p.id!)) : fail(404, 'knowledge base not found'))],
    ['POST', '/create-knowledge-base', (req) => createKnowledgeBase(req.form)],
    ['POST', '/add-knowledge-base-sources/:id', (req, p) => {
      const kb = state.knowledgeBases.get(p.id!);
      if (!kb) return fail(404, 'knowledge base not found');
      addSources(kb, req.form);
      return ok(kb, 201);
    }],
    ['GET', '/kb-content/:sourceId', (_req, p) => (state.texts.has(p.sourceId!) ? { status: 200, text: state.texts.get(p.sourceId!)! } : { status: 404, text: 'gone' })],
    ['GET', '/list-phone-numbers', () => ok([...state.phoneNumbers.values()])],
    ['GET', '/get-phone-number/:number', (_req, p) => (state.phoneNumbers.has(p.number!) ? ok(state.phoneNumbers.get(p.number!)) : fail(404, 'phone number not found'))],
    ['PATCH', '/update-phone-number/:number', (req, p) => {
      const number = state.phoneNumbers.get(p.number!);
      if (!number) return fail(404, 'phone number not found');
      const body = req.body as Row;
      for (const key of ['inbound_agent_id', 'outbound_agent_id']) {
        if (body[key] && !state.agents.has(String(body[key]))) return fail(400, `${key}: agent ${String(body[key])} does not exist`);
      }
      Object.assign(number, body, { phone_number: number.phone_number, last_modification_timestamp: Date.now() });
      return ok(number);
    }],
    ['POST', '/v2/list-calls', (req) => {
      const body = (req.body ?? {}) as { limit?: number; pagination_key?: string; sort_order?: string; filter_criteria?: { start_timestamp?: { lower_threshold?: number } } };
      const lower = body.filter_criteria?.start_timestamp?.lower_threshold ?? 0;
      const sorted = state.calls
        .filter((call) => Number(call.start_timestamp) >= lower)
        .sort((a, b) => (body.sort_order === 'ascending' ? 1 : -1) * (Number(a.start_timestamp) - Number(b.start_timestamp)));
      const start = body.pagination_key ? sorted.findIndex((call) => call.call_id === body.pagination_key) + 1 : 0;
      return ok(sorted.slice(start, start + Math.min(body.limit ?? 50, 1000)));
    }],
    ['GET', '/v2/get-call/:id', (_req, p) => {
      const call = state.calls.find((entry) => entry.call_id === p.id);
      return call ? ok(call) : fail(404, 'call not found');
    }],
  ];

  const server = await startFakeServer({
    apiKey: options.apiKey,
    isPublic: (path) => path.startsWith('/kb-content/'),
    unauthorized: () => fail(401, 'Unauthorized: invalid API key'),
    handle: (req) => {
      for (const [method, pattern, handler] of routes) {
        const params = method === req.method ? matchPath(pattern, req.path) : undefined;
        if (params) return handler(req, params);
      }
      return fail(404, `Cannot ${req.method} ${req.path}`);
    },
  });
  baseUrl = server.url;
  if (options.seed !== false) seedAskPro(state, createKnowledgeBase, options.calls ?? 1005);

  return {
    url: server.url,
    apiKey: options.apiKey,
    state,
    requests: server.requests,
    failNext: server.failNext,
    wipe(wipeOptions = {}) {
      state.agents.clear();
      state.llms.clear();
      state.knowledgeBases.clear();
      state.texts.clear();
      state.calls.length = 0;
      if (wipeOptions.phoneNumbers) state.phoneNumbers.clear();
      for (const number of state.phoneNumbers.values()) Object.assign(number, { inbound_agent_id: null, outbound_agent_id: null });
    },
    close: server.close,
  };
}

/** AskProAI's phone reception: agent "Empfang" answers the main number and books via Cal.com. */
function seedAskPro(state: RetellFakeState, createKnowledgeBase: (form: FormData) => FakeReply, calls: number): void {
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
    inbound_agent_id: empfang[0]!.agent_id, outbound_agent_id: rueckruf[0]!.agent_id, inbound_webhook_url: null, last_modification_timestamp: Date.UTC(2026, 0, 3),
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

import { matchPath, startFakeServer, type FakeFailure, type FakeReply, type FakeRequest } from './http-fake.js';
import { newId, seedAskPro } from './retell-seed.js';
import { VersionedStore, type Row } from './retell-versions.js';

/**
 * A local Retell AI API for tests, after RetellAI/retell-typescript-sdk 5.60.0 (api.md and
 * src/resources/*.ts, cited at each behaviour): Bearer key; list endpoints answer
 * {items, has_more, pagination_key}; agents, chat agents, Retell LLMs and conversation flows are
 * versioned and a published version is immutable (retell-versions.ts); phone numbers bind weighted
 * agent lists with numeric or tag versions and carry fallback_number, allowed country lists,
 * SMS agents and SIP trunk settings; voices are listed and cloned voices belong to one account;
 * v3 list-calls items carry recording_url but no transcript. State that pushes really change.
 */
export type { Row } from './retell-versions.js';

export interface RetellFakeState {
  /** Voice and chat agents; every version of each, oldest first. */
  agents: VersionedStore;
  llms: VersionedStore;
  flows: VersionedStore;
  knowledgeBases: Map<string, Row>;
  /** Text of each knowledge-base text source, by source_id. */
  texts: Map<string, string>;
  phoneNumbers: Map<string, Row>;
  /** Public voices and this account's clones (is_clone: the fake's mark; Retell answers provider etc.). */
  voices: Map<string, Row>;
  calls: Row[];
}

export interface RetellFake {
  url: string;
  apiKey: string;
  state: RetellFakeState;
  requests: Array<{ method: string; path: string; headers: Record<string, string | string[] | undefined> }>;
  failNext(count: number, failure: FakeFailure): void;
  /** Every request answers 503 (or `failure`) until comeBack(): the vendor is down. */
  goDown(failure?: FakeFailure): void;
  comeBack(): void;
  /** A new account: no agents, LLMs, flows, knowledge bases, clones or calls; numbers unbound (or gone). */
  wipe(options?: { phoneNumbers?: boolean }): void;
  /** What a person does in the dashboard: clones a voice again (it gets a new id). */
  cloneVoice(name: string): string;
  /** The newest version of the agent named `name`. */
  agentNamed(name: string): Row | undefined;
  close(): Promise<void>;
}

export interface RetellFakeOptions {
  apiKey: string;
  seed?: boolean;
  calls?: number;
  /** Pages hold at most this many items whatever limit is asked for (has_more says so). */
  pageSize?: number;
}

/** The list endpoints Retell retired, with what replaced them (for the 404 message). */
const RETIRED: Array<[method: string, path: string, replacement: string]> = [
  ['GET', '/list-agents', 'POST /v2/list-agents'],
  ['GET', '/list-chat-agents', 'POST /v2/list-agents'],
  ['GET', '/list-retell-llms', 'GET /v2/list-retell-llms'],
  ['GET', '/list-phone-numbers', 'GET /v2/list-phone-numbers'],
  ['GET', '/list-calls', 'POST /v3/list-calls'],
  ['POST', '/v2/list-calls', 'POST /v3/list-calls'],
];

/** What POST /v3/list-calls leaves out (call.ts V3PhoneCallResponse has recording_url, no transcript). */
const V3_OMITTED = ['transcript', 'transcript_object', 'transcript_with_tool_calls'];

const NUMBER_OPS: Record<string, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b, ne: (a, b) => a !== b, gt: (a, b) => a > b, ge: (a, b) => a >= b, lt: (a, b) => a < b, le: (a, b) => a <= b,
};

export async function startRetellFake(options: RetellFakeOptions): Promise<RetellFake> {
  const state: RetellFakeState = {
    agents: new VersionedStore('agent_id'), llms: new VersionedStore('llm_id'), flows: new VersionedStore('conversation_flow_id'),
    knowledgeBases: new Map(), texts: new Map(), phoneNumbers: new Map(), voices: new Map(), calls: [],
  };
  let baseUrl = '';
  const fail = (status: number, message: string): FakeReply => ({ status, body: { status: 'error', message } });
  const ok = (body: unknown, status = 200): FakeReply => ({ status, body });
  const answer = (result: Row | string | undefined, status = 200) => (typeof result === 'string' ? fail(400, result) : result ? ok(result, status) : fail(404, 'not found'));

  /** One page of rows already in order; the pagination key is opaque (the last row's key, encoded). */
  function page(rows: Row[], keyOf: (row: Row) => string, rawLimit: unknown, paginationKey: string | undefined): FakeReply {
    const limit = rawLimit === undefined || rawLimit === null ? 50 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return fail(400, 'limit must be an integer from 1 to 1000');
    let start = 0;
    if (paginationKey) {
      const after = Buffer.from(paginationKey, 'base64url').toString('utf8');
      start = rows.findIndex((row) => keyOf(row) === after) + 1;
      if (start === 0) return fail(400, 'invalid pagination_key');
    }
    const items = rows.slice(start, start + Math.min(limit, options.pageSize ?? limit));
    const hasMore = start + items.length < rows.length;
    return ok({ items, has_more: hasMore, ...(hasMore ? { pagination_key: Buffer.from(keyOf(items.at(-1)!)).toString('base64url') } : {}) });
  }

  /** Newest first unless sort_order says ascending; ties broken by id so pages never overlap. */
  function ordered(rows: Row[], timeKey: string, idKey: string, sortOrder: unknown): Row[] {
    const sign = sortOrder === 'ascending' ? 1 : -1;
    return [...rows].sort((a, b) => sign * (Number(a[timeKey]) - Number(b[timeKey])) || String(a[idKey]).localeCompare(String(b[idKey])));
  }

  // agent.ts AgentListResponse.Item: {agent_id, agent_name, channel, tags, user_modified_timestamp}.
  function listAgents(req: FakeRequest): FakeReply {
    const channel = ((req.body as Row | undefined)?.filter_criteria as Row | undefined)?.channel as Row | undefined;
    if (channel && (channel.op !== 'eq' || !['voice', 'chat'].includes(String(channel.value)))) return fail(400, 'filter_criteria.channel: op must be eq, value voice or chat');
    const summaries = state.agents.latestRows().map((agent) => ({ agent_id: agent.agent_id, agent_name: agent.agent_name, channel: agent.channel ?? 'voice',
      user_modified_timestamp: agent.last_modification_timestamp, tags: {} }));
    const wanted = summaries.filter((summary) => !channel || summary.channel === channel.value);
    return page(ordered(wanted, 'user_modified_timestamp', 'agent_id', req.query.get('sort_order')), (row) => String(row.agent_id), req.query.get('limit') ?? undefined, req.query.get('pagination_key') ?? undefined);
  }

  /** GET list endpoints: limit, sort_order and pagination_key in the query. */
  function listQuery(rows: Row[], idKey: string, req: FakeRequest): FakeReply {
    const sorted = ordered(rows, 'last_modification_timestamp', idKey, req.query.get('sort_order'));
    return page(sorted, (row) => String(row[idKey]), req.query.get('limit') ?? undefined, req.query.get('pagination_key') ?? undefined);
  }

  function listCalls(req: FakeRequest): FakeReply {
    const body = (req.body ?? {}) as { limit?: number; skip?: number; pagination_key?: string; sort_order?: string; filter_criteria?: Row };
    if (body.skip !== undefined && body.pagination_key !== undefined) return fail(400, 'skip and pagination_key cannot be used together');
    const filter = body.filter_criteria?.start_timestamp as { type?: string; op?: string; value?: unknown } | undefined;
    let matches: (start: number) => boolean = () => true;
    if (filter) {
      const compare = NUMBER_OPS[String(filter.op)];
      const { value } = filter;
      if (filter.type === 'number' && compare && typeof value === 'number') matches = (start) => compare(start, value);
      else if (filter.type === 'range' && filter.op === 'bt' && Array.isArray(value)) matches = (start) => start >= Number(value[0]) && start <= Number(value[1]);
      else return fail(400, 'filter_criteria.start_timestamp must be a number filter {type, op, value} or a range filter {type: "range", op: "bt", value: [from, to]}');
    }
    const calls = ordered(state.calls.filter((call) => matches(Number(call.start_timestamp))), 'start_timestamp', 'call_id', body.sort_order);
    const skipped = calls.slice(body.skip ?? 0).map((call) => Object.fromEntries(Object.entries(call).filter(([key]) => !V3_OMITTED.includes(key))));
    return page(skipped, (row) => String(row.call_id), body.limit, body.pagination_key);
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

  /** The engine an agent points at must exist: a Retell LLM or a conversation flow (agent.ts ResponseEngine*). */
  function checkEngine(engine: Row | undefined): string | undefined {
    if (!engine) return undefined;
    if (engine.type === 'retell-llm' && !state.llms.has(String(engine.llm_id))) return `llm ${String(engine.llm_id)} does not exist`;
    if (engine.type === 'conversation-flow' && !state.flows.has(String(engine.conversation_flow_id))) return `conversation flow ${String(engine.conversation_flow_id)} does not exist`;
    return undefined;
  }
  const engineStore = (engine: Row) => (engine.type === 'retell-llm' ? state.llms : engine.type === 'conversation-flow' ? state.flows : undefined);
  const engineId = (engine: Row) => String(engine.type === 'retell-llm' ? engine.llm_id : engine.conversation_flow_id);

  function createAgent(req: FakeRequest, channel: 'voice' | 'chat'): FakeReply {
    const body = req.body as Row;
    const engine = body.response_engine as Row | undefined;
    if (!engine || (channel === 'voice' && typeof body.voice_id !== 'string')) return fail(400, channel === 'voice' ? 'response_engine and voice_id are required' : 'response_engine is required');
    if (channel === 'voice' && !state.voices.has(String(body.voice_id))) return fail(400, `voice ${String(body.voice_id)} not found`);
    const engineError = checkEngine(engine);
    if (engineError) return fail(400, engineError);
    const store = engineStore(engine);
    const response_engine = store ? { ...engine, version: engine.version ?? store.get(engineId(engine))!.version } : engine;
    return ok(state.agents.create(newId(channel === 'voice' ? 'agent' : 'chat_agent'), { ...body, channel, response_engine }), 201);
  }

  function updateAgent(req: FakeRequest, id: string): FakeReply {
    const body = req.body as Row;
    const engineError = checkEngine(body.response_engine as Row | undefined);
    if (engineError) return fail(400, engineError);
    if (body.voice_id !== undefined && !state.voices.has(String(body.voice_id))) return fail(400, `voice ${String(body.voice_id)} not found`);
    return answer(state.agents.update(id, req.query.get('version') ?? undefined, body));
  }

  // create-agent-version: the draft gets its own copy of the engine's version, so editing its prompt leaves the published one alone.
  function branchAgent(req: FakeRequest, id: string): FakeReply {
    const base = Number((req.body as Row | undefined)?.base_version);
    const from = state.agents.get(id, base);
    if (!from) return fail(404, `agent ${id} has no version ${String(base)}`);
    const engine = from.response_engine as Row;
    const store = engineStore(engine);
    const engineCopy = store ? store.branch(engineId(engine), Number(engine.version)) : undefined;
    const row = state.agents.branch(id, base, engineCopy ? { response_engine: { ...engine, version: engineCopy.version } } : {});
    return answer(row, 201);
  }

  // publish-agent-version publishes the draft in place, with the engine version it points at.
  function publishAgent(req: FakeRequest, id: string): FakeReply {
    const version = Number((req.body as Row | undefined)?.version);
    const row = state.agents.get(id, version);
    if (!row) return fail(404, `agent ${id} has no version ${String(version)}`);
    state.agents.publish(id, version);
    const engine = row.response_engine as Row;
    engineStore(engine)?.publish(engineId(engine), Number(engine.version));
    return { status: 200 };
  }

  function updatePhoneNumber(req: FakeRequest, number: Row): FakeReply {
    const body = req.body as Row;
    const retired = ['inbound_agent_id', 'outbound_agent_id', 'inbound_agent_version', 'outbound_agent_version'].find((key) => key in body);
    if (retired) return fail(400, `${retired} is no longer supported; use inbound_agents / outbound_agents`);
    for (const key of ['inbound_agents', 'outbound_agents', 'inbound_sms_agents', 'outbound_sms_agents']) {
      const list = body[key] as Array<{ agent_id?: unknown; weight?: unknown; agent_version?: unknown }> | null | undefined;
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) return fail(400, `${key} must be a list of {agent_id, weight}`);
      for (const entry of list) {
        if (!state.agents.has(String(entry.agent_id))) return fail(400, `${key}: agent ${String(entry.agent_id)} does not exist`);
        if (typeof entry.weight !== 'number' || entry.weight <= 0 || entry.weight > 1) return fail(400, `${key}: weight must be in (0, 1]`);
        if (typeof entry.agent_version === 'number' && !state.agents.get(String(entry.agent_id), entry.agent_version)) {
          return fail(400, `${key}: agent ${String(entry.agent_id)} has no version ${entry.agent_version}`);
        }
      }
      const total = list.reduce((sum, entry) => sum + Number(entry.weight), 0);
      if (list.length > 0 && Math.abs(total - 1) > 1e-9) return fail(400, `${key}: weights must add up to 1 (got ${total})`);
    }
    // phone-number.ts fallback_number: not this number, and not a number with its own fallback.
    const fallback = body.fallback_number;
    if (typeof fallback === 'string') {
      if (fallback === number.phone_number) return fail(400, 'fallback_number cannot be the same as the phone number');
      if (state.phoneNumbers.get(fallback)?.fallback_number) return fail(400, 'fallback_number cannot be a number that has its own fallback configured');
    }
    const { termination_uri, transport, auth_username, auth_password: _password, ...rest } = body;
    const sip = { ...(number.sip_outbound_trunk_config as Row | undefined) };
    if (termination_uri !== undefined) sip.termination_uri = termination_uri;
    if (transport !== undefined) sip.transport = transport;
    if (auth_username !== undefined) sip.auth_username = auth_username;
    Object.assign(number, rest, { phone_number: number.phone_number, last_modification_timestamp: Date.now() }, number.phone_number_type === 'custom' ? { sip_outbound_trunk_config: sip } : {});
    return ok(number);
  }

  const versionOf = (req: FakeRequest) => req.query.get('version') ?? undefined;
  type Route = [method: string, pattern: string, handler: (req: FakeRequest, params: Record<string, string>) => FakeReply];
  const routes: Route[] = [
    ...RETIRED.map(([method, path, replacement]): Route => [method, path, () => fail(404, `${method} ${path} was retired; use ${replacement}`)]),
    // agent.ts / chat-agent.ts
    ['POST', '/v2/list-agents', listAgents],
    ['GET', '/get-agent/:id', (req, p) => answer(state.agents.get(p.id!, versionOf(req)))],
    ['GET', '/get-chat-agent/:id', (req, p) => answer(state.agents.get(p.id!, versionOf(req)))],
    ['GET', '/get-agent-versions/:id', (_req, p) => (state.agents.has(p.id!) ? ok(state.agents.versions.get(p.id!)) : fail(404, 'agent not found'))],
    ['GET', '/get-chat-agent-versions/:id', (_req, p) => (state.agents.has(p.id!) ? ok(state.agents.versions.get(p.id!)) : fail(404, 'agent not found'))],
    ['POST', '/create-agent', (req) => createAgent(req, 'voice')],
    ['POST', '/create-chat-agent', (req) => createAgent(req, 'chat')],
    ['PATCH', '/update-agent/:id', (req, p) => updateAgent(req, p.id!)],
    ['PATCH', '/update-chat-agent/:id', (req, p) => updateAgent(req, p.id!)],
    ['POST', '/create-agent-version/:id', (req, p) => branchAgent(req, p.id!)],
    ['POST', '/publish-agent-version/:id', (req, p) => publishAgent(req, p.id!)],
    // llm.ts
    ['GET', '/v2/list-retell-llms', (req) => listQuery(state.llms.latestRows(), 'llm_id', req)],
    ['GET', '/get-retell-llm/:id', (req, p) => answer(state.llms.get(p.id!, versionOf(req)))],
    ['POST', '/create-retell-llm', (req) => {
      const body = req.body as Row;
      const missing = ((body.knowledge_base_ids as string[] | undefined) ?? []).find((kbId) => !state.knowledgeBases.has(kbId));
      if (missing) return fail(400, `knowledge base ${missing} does not exist`);
      return ok(state.llms.create(newId('llm'), body), 201);
    }],
    ['PATCH', '/update-retell-llm/:id', (req, p) => answer(state.llms.update(p.id!, versionOf(req), req.body as Row))],
    // conversation-flow.ts
    ['GET', '/v2/list-conversation-flows', (req) => listQuery(state.flows.latestRows(), 'conversation_flow_id', req)],
    ['GET', '/get-conversation-flow/:id', (req, p) => answer(state.flows.get(p.id!, versionOf(req)))],
    ['POST', '/create-conversation-flow', (req) => {
      const body = req.body as Row;
      if (!Array.isArray(body.nodes) || !body.model_choice || !body.start_speaker) return fail(400, 'model_choice, nodes and start_speaker are required');
      return ok(state.flows.create(newId('conversation_flow'), body), 201);
    }],
    ['PATCH', '/update-conversation-flow/:id', (req, p) => answer(state.flows.update(p.id!, versionOf(req), req.body as Row))],
    // voice.ts: VoiceResponse {voice_id, voice_name, provider, gender, accent?, age?, preview_audio_url?}.
    ['GET', '/list-voices', () => ok([...state.voices.values()].map(({ is_clone: _clone, ...voice }) => voice))],
    ['GET', '/get-voice/:id', (_req, p) => {
      const voice = state.voices.get(p.id!);
      if (!voice) return fail(404, 'voice not found');
      const { is_clone: _clone, ...shown } = voice;
      return ok(shown);
    }],
    // knowledge-base.ts
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
    // phone-number.ts
    ['GET', '/v2/list-phone-numbers', (req) => listQuery([...state.phoneNumbers.values()], 'phone_number', req)],
    ['GET', '/get-phone-number/:number', (_req, p) => (state.phoneNumbers.has(p.number!) ? ok(state.phoneNumbers.get(p.number!)) : fail(404, 'phone number not found'))],
    ['PATCH', '/update-phone-number/:number', (req, p) => {
      const number = state.phoneNumbers.get(p.number!);
      return number ? updatePhoneNumber(req, number) : fail(404, 'phone number not found');
    }],
    // call.ts
    ['POST', '/v3/list-calls', listCalls],
    ['GET', '/v2/get-call/:id', (_req, p) => {
      const call = state.calls.find((entry) => entry.call_id === p.id);
      return call ? ok(call) : fail(404, 'call not found');
    }],
  ];

  const server = await startFakeServer({
    apiKey: options.apiKey,
    isPublic: (path) => path.startsWith('/kb-content/'),
    unauthorized: () => fail(401, 'Unauthorized: invalid API key'),
    errorBody: (_status, message) => ({ status: 'error', message }),
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
    goDown: server.goDown,
    comeBack: server.comeBack,
    wipe(wipeOptions = {}) {
      state.agents.clear();
      state.llms.clear();
      state.flows.clear();
      state.knowledgeBases.clear();
      state.texts.clear();
      state.calls.length = 0;
      for (const [id, voice] of state.voices) if (voice.is_clone) state.voices.delete(id);
      if (wipeOptions.phoneNumbers) state.phoneNumbers.clear();
      for (const number of state.phoneNumbers.values()) {
        Object.assign(number, { inbound_agents: null, outbound_agents: null, inbound_sms_agents: null, fallback_number: null, allowed_inbound_country_list: null });
      }
    },
    cloneVoice(name) {
      const id = newId('custom_voice');
      state.voices.set(id, { voice_id: id, voice_name: name, provider: 'elevenlabs', gender: 'female', is_clone: true });
      return id;
    },
    agentNamed: (name) => state.agents.latestRows().find((agent) => agent.agent_name === name),
    close: server.close,
  };
}

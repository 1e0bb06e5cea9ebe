import { matchPath, startFakeServer, type FakeFailure, type FakeReply, type FakeRequest } from './http-fake.js';
import { newId, seedAskPro } from './retell-seed.js';

/**
 * A local Retell AI API for tests, following the current reference (spec revision
 * 2026-08-01): Bearer key; the list endpoints POST /v2/list-agents (summaries, voice/chat
 * filter), GET /v2/list-retell-llms, GET /v2/list-phone-numbers and POST /v3/list-calls answer
 * {items, has_more, pagination_key} with opaque keys and a limit of at most 1000 (default 50);
 * v3 call items leave out transcripts and recording URLs, which GET /v2/get-call adds; numbers
 * bind weighted agent lists and refuse the retired single-agent fields; the retired endpoints
 * (GET /list-agents, /list-retell-llms, /list-phone-numbers, /list-calls, POST /v2/list-calls)
 * answer 404. Multipart create-knowledge-base, server-assigned ids, and state that pushes
 * really change. Knowledge-base texts are served at an unauthenticated storage URL.
 */
export type Row = Record<string, unknown>;

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
  /** Every request answers 503 (or `failure`) until comeBack(): the vendor is down. */
  goDown(failure?: FakeFailure): void;
  comeBack(): void;
  /** Deletes agents, LLMs, knowledge bases and calls; unbinds the numbers (or deletes them too). */
  wipe(options?: { phoneNumbers?: boolean }): void;
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

/** What POST /v3/list-calls leaves out of each call; GET /v2/get-call has them. */
const V3_OMITTED = ['transcript', 'transcript_object', 'transcript_with_tool_calls', 'recording_url'];

const NUMBER_OPS: Record<string, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b, ne: (a, b) => a !== b, gt: (a, b) => a > b, ge: (a, b) => a >= b, lt: (a, b) => a < b, le: (a, b) => a <= b,
};

export async function startRetellFake(options: RetellFakeOptions): Promise<RetellFake> {
  const state: RetellFakeState = { agents: new Map(), llms: new Map(), knowledgeBases: new Map(), texts: new Map(), phoneNumbers: new Map(), calls: [] };
  let baseUrl = '';
  const fail = (status: number, message: string): FakeReply => ({ status, body: { status: 'error', message } });
  const ok = (body: unknown, status = 200): FakeReply => ({ status, body });
  const latest = (agentId: string) => state.agents.get(agentId)?.at(-1);

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

  function listAgents(req: FakeRequest): FakeReply {
    const channel = ((req.body as Row | undefined)?.filter_criteria as Row | undefined)?.channel as Row | undefined;
    if (channel && (channel.op !== 'eq' || !['voice', 'chat'].includes(String(channel.value)))) return fail(400, 'filter_criteria.channel: op must be eq, value voice or chat');
    const summaries = [...state.agents.keys()].map((agentId) => {
      const agent = latest(agentId)!;
      return { agent_id: agentId, agent_name: agent.agent_name, channel: 'voice', user_modified_timestamp: agent.last_modification_timestamp, tags: {} };
    });
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

  function updatePhoneNumber(req: FakeRequest, number: Row): FakeReply {
    const body = req.body as Row;
    const retired = ['inbound_agent_id', 'outbound_agent_id', 'inbound_agent_version', 'outbound_agent_version'].find((key) => key in body);
    if (retired) return fail(400, `${retired} is no longer supported; use inbound_agents / outbound_agents`);
    for (const key of ['inbound_agents', 'outbound_agents']) {
      const list = body[key] as Array<{ agent_id?: unknown; weight?: unknown }> | null | undefined;
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) return fail(400, `${key} must be a list of {agent_id, weight}`);
      for (const entry of list) {
        if (!state.agents.has(String(entry.agent_id))) return fail(400, `${key}: agent ${String(entry.agent_id)} does not exist`);
        if (typeof entry.weight !== 'number' || entry.weight <= 0 || entry.weight > 1) return fail(400, `${key}: weight must be in (0, 1]`);
      }
      const total = list.reduce((sum, entry) => sum + Number(entry.weight), 0);
      if (list.length > 0 && Math.abs(total - 1) > 1e-9) return fail(400, `${key}: weights must add up to 1 (got ${total})`);
    }
    Object.assign(number, body, { phone_number: number.phone_number, last_modification_timestamp: Date.now() });
    return ok(number);
  }

  type Route = [method: string, pattern: string, handler: (req: FakeRequest, params: Record<string, string>) => FakeReply];
  const routes: Route[] = [
    ...RETIRED.map(([method, path, replacement]): Route => [method, path, () => fail(404, `${method} ${path} was retired; use ${replacement}`)]),
    ['POST', '/v2/list-agents', listAgents],
    ['GET', '/get-agent/:id', (req, p) => {
      const versions = state.agents.get(p.id!);
      const wanted = req.query.get('version');
      const agent = wanted === null ? versions?.at(-1) : versions?.find((entry) => String(entry.version) === wanted);
      return agent ? ok(agent) : fail(404, 'agent not found');
    }],
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
    ['GET', '/v2/list-retell-llms', (req) => listQuery([...state.llms.values()], 'llm_id', req)],
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
    ['GET', '/v2/list-phone-numbers', (req) => listQuery([...state.phoneNumbers.values()], 'phone_number', req)],
    ['GET', '/get-phone-number/:number', (_req, p) => (state.phoneNumbers.has(p.number!) ? ok(state.phoneNumbers.get(p.number!)) : fail(404, 'phone number not found'))],
    ['PATCH', '/update-phone-number/:number', (req, p) => {
      const number = state.phoneNumbers.get(p.number!);
      return number ? updatePhoneNumber(req, number) : fail(404, 'phone number not found');
    }],
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
      state.knowledgeBases.clear();
      state.texts.clear();
      state.calls.length = 0;
      if (wipeOptions.phoneNumbers) state.phoneNumbers.clear();
      for (const number of state.phoneNumbers.values()) Object.assign(number, { inbound_agents: null, outbound_agents: null });
    },
    close: server.close,
  };
}

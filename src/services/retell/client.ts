import type { RetellSourceConfig } from '../../config/schema.js';
import { createJsonClient, type JsonClient } from '../http.js';
import { resolveServiceKey, type ClientTuning } from '../service-key.js';

/*
 * The Retell endpoints drc uses, as Retell documents them now (spec revision 2026-08-01):
 *
 * - Agents: POST /v2/list-agents (limit ≤ 1000, sort_order, pagination_key in the query;
 *   filter_criteria.channel {type:"string", op:"eq", value:"voice"} in the body) answers
 *   {items, has_more, pagination_key}, items being summaries (id, name, channel, tags): the
 *   configuration comes from GET /get-agent/{id} (latest version unless ?version=), every
 *   version from GET /get-agent-versions/{id}; POST /create-agent, PATCH /update-agent/{id}.
 *   GET /list-agents (arrays, pagination_key_version) is deprecated since 07/31/2026.
 * - Retell LLMs: GET /v2/list-retell-llms (limit, sort_order, pagination_key) answers the
 *   same envelope with full LLMs; POST /create-retell-llm, PATCH /update-retell-llm/{id}.
 * - Phone numbers: GET /v2/list-phone-numbers, same envelope; PATCH /update-phone-number/{n}.
 *   Bindings are weighted lists inbound_agents / outbound_agents of {agent_id, weight,
 *   agent_version?} whose weights add up to 1; inbound_agent_id / outbound_agent_id are
 *   unsupported since 03/31/2026.
 * - Knowledge bases: GET /list-knowledge-bases is still current and answers a bare array;
 *   POST /create-knowledge-base and /add-knowledge-base-sources/{id} take multipart forms.
 * - Calls: POST /v3/list-calls (body: filter_criteria, sort_order, limit ≤ 1000, an opaque
 *   pagination_key — never together with skip) answers {items, has_more, pagination_key}
 *   without transcript, transcript_object and transcript_with_tool_calls (recording_url is there),
 *   which only GET /v2/get-call/{id} returns. Time filters are typed:
 *   start_timestamp {type:"number", op:"ge", value}. There is no /v2/list-calls any more.
 * - Versions: POST /create-agent-version/{id} {base_version} makes a draft, POST
 *   /publish-agent-version/{id} {version} publishes it in place; a published version does not
 *   change. Chat agents: /get-chat-agent, /get-chat-agent-versions, /create-chat-agent,
 *   /update-chat-agent. Conversation flows: GET /v2/list-conversation-flows,
 *   /get-conversation-flow/{id}?version=, /create-conversation-flow, /update-conversation-flow.
 *   Voices: GET /list-voices (a bare array). v3 list-calls items do carry recording_url.
 * - Errors are {status:"error", message}; 429 means throttle (the JSON client honours
 *   Retry-After). The legacy list endpoints were removed on 06/15/2026, so nothing here
 *   falls back to them.
 *
 * Sources: docs.retellai.com/deprecation-notice/2026/07-31_agent_list_endpoints,
 * …/2026/03-31_phone_number_agent_fields, …/deprecation-notice/overview (06/15/2026 removal),
 * the API reference pages list-agents, list-retell-llms, list-phone-numbers, list-calls,
 * list-knowledge-bases, create-phone-number (spec revision 2026-08-01-ad84c11), and the
 * generated SDKs RetellAI/retell-typescript-sdk (api.md, src/resources/agent.ts, call.ts) and
 * RetellAI/retell-python-sdk (types/phone_number_update_params.py).
 */
export const RETELL_DEFAULT_BASE_URL = 'https://api.retellai.com';

/** Retell answers with bare JSON objects; the current list endpoints wrap items in a page. */
export type RetellClient = JsonClient;

export function createRetellClient(config: RetellSourceConfig, tuning: ClientTuning = {}): RetellClient {
  const key = resolveServiceKey(config);
  return createJsonClient({ source: config.name, baseUrl: config.baseUrl ?? RETELL_DEFAULT_BASE_URL, ...key, ...tuning });
}

/** The envelope of every current Retell list endpoint. */
export interface RetellPage<T> {
  items: T[];
  has_more?: boolean;
  pagination_key?: string;
}

export interface RetellAgentSummary {
  agent_id: string;
  agent_name?: string | null;
  channel?: string;
}

const PAGE = 1000;

/** Reads pages until has_more is false, passing each page's pagination_key on. */
async function collectPages<T>(readPage: (paginationKey: string | undefined) => Promise<RetellPage<T>>): Promise<T[]> {
  const items: T[] = [];
  let paginationKey: string | undefined;
  for (;;) {
    const page = await readPage(paginationKey);
    items.push(...page.items);
    if (!page.has_more || !page.pagination_key) return items;
    paginationKey = page.pagination_key;
  }
}

/** One page of voice or chat agents (one endpoint, filtered by channel: agent.ts / chat-agent.ts list). */
export function listAgentPage(client: RetellClient, limit = PAGE, paginationKey?: string, channel: 'voice' | 'chat' = 'voice'): Promise<RetellPage<RetellAgentSummary>> {
  return client.request<RetellPage<RetellAgentSummary>>({
    method: 'POST',
    path: '/v2/list-agents',
    query: { limit, pagination_key: paginationKey },
    body: { filter_criteria: { channel: { type: 'string', op: 'eq', value: channel } } },
    idempotent: true,
  });
}

export function collectAgentSummaries(client: RetellClient, channel: 'voice' | 'chat' = 'voice', limit = PAGE): Promise<RetellAgentSummary[]> {
  return collectPages((key) => listAgentPage(client, limit, key, channel));
}

/** GET list endpoints of the current API: /v2/list-retell-llms, /v2/list-phone-numbers. */
export function collectListing<T>(client: RetellClient, path: string, limit = PAGE): Promise<T[]> {
  return collectPages((key) => client.request<RetellPage<T>>({ path, query: { limit, pagination_key: key } }));
}

type Call = { call_id: string } & Record<string, unknown>;

/**
 * Every call the filter (a v3 CallFilter) matches, newest first, with transcript and recording
 * fields: the listing leaves them out, so each call is read once more by id, a few at a time.
 */
export async function collectCalls(client: RetellClient, filter: Record<string, unknown>, limit = PAGE): Promise<Call[]> {
  const listed = await collectPages((key) =>
    client.request<RetellPage<Call>>({
      method: 'POST',
      path: '/v3/list-calls',
      body: { filter_criteria: filter, sort_order: 'descending', limit, ...(key ? { pagination_key: key } : {}) },
      idempotent: true,
    }),
  );
  return mapInBatches(listed, 4, (call) => client.request<Call>({ path: `/v2/get-call/${encodeURIComponent(call.call_id)}` }));
}

async function mapInBatches<T, R>(items: T[], width: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += width) results.push(...(await Promise.all(items.slice(start, start + width).map(map))));
  return results;
}

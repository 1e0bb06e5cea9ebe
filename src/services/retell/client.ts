import type { RetellSourceConfig } from '../../config/schema.js';
import { createJsonClient, type JsonClient } from '../http.js';
import { resolveServiceKey, type ClientTuning } from '../service-key.js';

export const RETELL_DEFAULT_BASE_URL = 'https://api.retellai.com';

/** Retell answers with bare JSON (no envelope); lists are arrays. */
export type RetellClient = JsonClient;

export function createRetellClient(config: RetellSourceConfig, tuning: ClientTuning = {}): RetellClient {
  const key = resolveServiceKey(config);
  return createJsonClient({ source: config.name, baseUrl: config.baseUrl ?? RETELL_DEFAULT_BASE_URL, ...key, ...tuning });
}

const PAGE = 1000;

/**
 * list-agents and list-retell-llms page by the last item's id and version
 * (`pagination_key` + `pagination_key_version`); a page shorter than the limit is the last.
 */
export async function collectVersionedPages<T extends { version?: number }>(
  client: RetellClient,
  path: string,
  idOf: (item: T) => string,
  limit = PAGE,
): Promise<T[]> {
  const items: T[] = [];
  let last: T | undefined;
  for (;;) {
    const query = { limit, ...(last ? { pagination_key: idOf(last), pagination_key_version: last.version } : {}) };
    const page = await client.request<T[]>({ path, query });
    items.push(...page);
    if (page.length < limit) return items;
    last = page[page.length - 1];
  }
}

/** POST /v2/list-calls pages by the last call's id; newest first. */
export async function collectCalls(
  client: RetellClient,
  filter: Record<string, unknown>,
  limit = PAGE,
): Promise<Array<{ call_id: string } & Record<string, unknown>>> {
  const calls: Array<{ call_id: string } & Record<string, unknown>> = [];
  let paginationKey: string | undefined;
  for (;;) {
    const body = { filter_criteria: filter, sort_order: 'descending', limit, ...(paginationKey ? { pagination_key: paginationKey } : {}) };
    const page = await client.request<Array<{ call_id: string } & Record<string, unknown>>>({ method: 'POST', path: '/v2/list-calls', body, idempotent: true });
    calls.push(...page);
    if (page.length < limit) return calls;
    paginationKey = page[page.length - 1]!.call_id;
  }
}

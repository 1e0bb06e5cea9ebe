import type { CalcomSourceConfig } from '../../config/schema.js';
import { DrcError } from '../../errors.js';
import { createHash } from 'node:crypto';
import { createJsonClient, type JsonClient } from '../http.js';
import { sharedRateBudget } from '../rate-budget.js';
import { resolveServiceKey, type ClientTuning } from '../service-key.js';

export const CALCOM_DEFAULT_BASE_URL = 'https://api.cal.com';

/**
 * The `cal-api-version` each v2 endpoint family needs. Without it Cal.com silently answers
 * with an older shape of the endpoint, so every call names its version explicitly.
 */
export const CALCOM_API_VERSION = {
  schedules: '2024-06-11',
  eventTypes: '2024-06-14',
  bookings: '2024-08-13',
} as const;

export type CalcomApiVersion = (typeof CALCOM_API_VERSION)[keyof typeof CALCOM_API_VERSION];

/**
 * Cal.com v2 wraps every answer: `{ status: "success", data, pagination? }`; the pagination is
 * PaginationMetaDto (packages/platform/types/pagination/pagination.output.ts). drc reads only
 * hasNextPage, so a renamed count field (returnedItems) cannot break paging.
 */
export interface CalcomEnvelope<T> {
  status: string;
  data: T;
  pagination?: { hasNextPage?: boolean; totalItems?: number };
}

interface CallOptions {
  version?: CalcomApiVersion;
  query?: Record<string, string | number | undefined>;
}

export interface CalcomClient {
  readonly source: string;
  readonly baseUrl: string;
  envelope<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, options?: CallOptions & { body?: unknown }): Promise<CalcomEnvelope<T>>;
  get<T>(path: string, options?: CallOptions): Promise<T>;
  post<T>(path: string, body: unknown, options?: CallOptions): Promise<T>;
  patch<T>(path: string, body: unknown, options?: CallOptions): Promise<T>;
}

/**
 * Cal.com allows an API key 120 requests per minute and then blocks it for 60 s
 * (RATE_LIMIT_DEFAULT_LIMIT_API_KEY, RATE_LIMIT_DEFAULT_BLOCK_DURATION_MS in
 * apps/api/v2/src/lib/throttler-guard.ts). drc keeps to 100, leaving room for the app that
 * uses the same key; a 429 is still waited out (see http.ts).
 */
export const CALCOM_BUDGET = { limit: 100, windowMs: 60_000 };
export const CALCOM_BLOCK_MS = 60_000;

export function createCalcomClient(config: CalcomSourceConfig, tuning: ClientTuning = {}): CalcomClient {
  const key = resolveServiceKey(config);
  const baseUrl = config.baseUrl ?? CALCOM_DEFAULT_BASE_URL;
  const keyId = createHash('sha256').update(`${baseUrl}\n${key.apiKey}`).digest('hex');
  const budget = tuning.budget ?? sharedRateBudget(keyId, { ...CALCOM_BUDGET, limit: config.requestsPerMinute ?? CALCOM_BUDGET.limit });
  const http = createJsonClient({ source: config.name, baseUrl, ...key, rateLimitBlockMs: CALCOM_BLOCK_MS, ...tuning, budget });
  return wrapCalcom(http);
}

function wrapCalcom(http: JsonClient): CalcomClient {
  const envelope = async <T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    options: CallOptions & { body?: unknown } = {},
  ): Promise<CalcomEnvelope<T>> => {
    const body = await http.request<CalcomEnvelope<T> | undefined>({
      method,
      path,
      query: options.query,
      body: options.body,
      headers: options.version ? { 'cal-api-version': options.version } : {},
    });
    if (!body || body.status !== 'success') {
      throw new DrcError(`source ${http.source}: ${method} ${path} answered without status "success" (got ${JSON.stringify(body?.status)})`, {
        hint: 'check that baseUrl points at the Cal.com API v2 (https://api.cal.com or your self-hosted API)',
      });
    }
    return body;
  };
  return {
    source: http.source,
    baseUrl: http.baseUrl,
    envelope,
    get: async (path, options) => (await envelope<never>('GET', path, options)).data,
    post: async (path, body, options) => (await envelope<never>('POST', path, { ...options, body })).data,
    patch: async (path, body, options) => (await envelope<never>('PATCH', path, { ...options, body })).data,
  };
}

/** Pages through a take/skip list until a short page (or pagination says there is no more). */
export async function collectCalcomPages<T>(
  client: CalcomClient,
  path: string,
  options: CallOptions & { pageSize?: number } = {},
): Promise<T[]> {
  const take = options.pageSize ?? 100;
  const items: T[] = [];
  for (let skip = 0; ; skip += take) {
    const page = await client.envelope<T[]>('GET', path, { ...options, query: { ...options.query, take, skip } });
    if (!Array.isArray(page.data)) {
      throw new DrcError(`source ${client.source}: GET ${path} did not answer a list (cal-api-version ${options.version ?? 'none'})`, {
        hint: 'Cal.com answered an older API shape; check that no proxy strips the cal-api-version header',
      });
    }
    items.push(...page.data);
    const more = page.pagination?.hasNextPage ?? page.data.length === take;
    if (!more || page.data.length === 0) return items;
  }
}

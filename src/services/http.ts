import { redact } from '../config/secrets.js';
import { DrcError, errorMessage } from '../errors.js';
import { formatDuration } from '../util/duration.js';
import { abortableSleep, type RateBudget } from './rate-budget.js';

/**
 * A small JSON client for the SaaS APIs drc backs up: one timeout per request, a per-key
 * request budget, retries with exponential backoff on 5xx and network errors, a 429 waited out
 * for as long as the service says (Retry-After, else X-RateLimit-Reset, else its known block
 * time: Cal.com sends no Retry-After and blocks a key for 60 s), progress while waiting, and
 * errors that name the source and where its key comes from — never the key itself.
 */
export interface JsonClientOptions {
  /** The configured source name, for messages: "source calcom: …". */
  source: string;
  baseUrl: string;
  apiKey: string;
  /** Where the key comes from, for the 401 message: "env var CALCOM_API_KEY". */
  keyOrigin: string;
  /** Headers sent with every request (besides Authorization). */
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Retries after the first attempt. */
  retries?: number;
  /** First backoff delay; doubles per retry. Tests set it low. */
  baseDelayMs?: number;
  /** No backoff after a 5xx or network error is longer than this. */
  maxDelayMs?: number;
  /** How long the service blocks a key that went over its limit, when a 429 says nothing. */
  rateLimitBlockMs?: number;
  /** Retries after a 429 (each waits the block out); separate from `retries`. */
  rateLimitRetries?: number;
  /** No wait for a rate limit is longer than this (a Reset header far in the future is capped). */
  maxRateLimitWaitMs?: number;
  /** Requests go no faster than this budget allows (shared per key). */
  budget?: RateBudget;
  /** Told before every wait longer than a moment: rate limit, budget or backoff. */
  onWait?: (wait: ClientWait) => void;
  signal?: AbortSignal;
}

/** A wait the client is about to do, for "waiting 60s for Cal.com's rate limit" lines. */
export interface ClientWait {
  reason: 'rate-limited' | 'budget' | 'retry';
  waitMs: number;
  /** Where the wait comes from: "Retry-After", "X-RateLimit-Reset-Default", "block time", "backoff". */
  basis: string;
  what: string;
}

export interface JsonRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** multipart/form-data instead of JSON (Retell's create-knowledge-base). */
  form?: FormData;
  headers?: Record<string, string>;
  /**
   * Safe to send twice. Default: every method but POST. A POST that failed with a 5xx or on
   * the network may have been carried out, so it is retried only on 429 (refused unread);
   * a push run again finds what was created and does not create it twice.
   */
  idempotent?: boolean;
}

export interface JsonClient {
  readonly source: string;
  readonly baseUrl: string;
  request<T>(request: JsonRequest): Promise<T>;
}

/**
 * A request the service did not carry out: `status` is its answer, undefined when it never
 * answered (refused connection, DNS, timeout). Lets a check tell an outage (no answer, 5xx)
 * from a refusal aimed at us (a rejected key, our rate limit).
 */
export class ServiceCallError extends DrcError {
  readonly status: number | undefined;

  constructor(status: number | undefined, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.status = status;
  }
}

const DEFAULTS = { timeoutMs: 30_000, retries: 4, baseDelayMs: 500, maxDelayMs: 30_000, rateLimitBlockMs: 60_000, rateLimitRetries: 5, maxRateLimitWaitMs: 180_000 };

/** Waits shorter than this are not worth a progress line. */
const NOTICEABLE_WAIT_MS = 1_000;

export function createJsonClient(options: JsonClientOptions): JsonClient {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  return {
    source: options.source,
    baseUrl,
    async request<T>(request: JsonRequest): Promise<T> {
      const url = buildUrl(baseUrl, request);
      const what = `${request.method ?? 'GET'} ${request.path}`;
      const wait = async (reason: ClientWait['reason'], waitMs: number, basis: string) => {
        if (waitMs >= NOTICEABLE_WAIT_MS) options.onWait?.({ reason, waitMs, basis, what });
        await abortableSleep(waitMs, options.signal).catch((error: unknown) => {
          throw new DrcError(`source ${options.source}: stopped while waiting to send ${what}`, { cause: error });
        });
      };
      let failures = 0;
      let limited = 0;
      for (;;) {
        if (options.budget) {
          await options.budget.take(options.signal, (waitMs) => {
            if (waitMs >= NOTICEABLE_WAIT_MS) options.onWait?.({ reason: 'budget', waitMs, basis: `${options.budget!.limit} requests per ${formatDuration(options.budget!.windowMs)}`, what });
          }).catch((error: unknown) => {
            throw new DrcError(`source ${options.source}: stopped while waiting to send ${what}`, { cause: error });
          });
        }
        const outcome = await attemptOnce(url, request, options, settings.timeoutMs);
        const idempotent = request.idempotent ?? request.method !== 'POST';
        const status = outcome.kind === 'response' ? outcome.response.status : undefined;
        const attempts = failures + limited;
        if (status === 429 && limited < settings.rateLimitRetries) {
          const { waitMs, basis } = rateLimitWait(outcome.kind === 'response' ? outcome.response.headers : new Headers(), settings);
          await outcomeBodyDone(outcome);
          limited += 1;
          await wait('rate-limited', waitMs, basis);
          continue;
        }
        const retryable = status !== 429 && idempotent && (status === undefined || isRetryableStatus(status));
        if (retryable && failures < settings.retries) {
          await outcomeBodyDone(outcome);
          const backoff = Math.min(settings.baseDelayMs * 2 ** failures, settings.maxDelayMs);
          failures += 1;
          await wait('retry', backoff, 'backoff');
          continue;
        }
        if (outcome.kind === 'network') throw networkError(options, what, outcome.error, settings.timeoutMs, attempts);
        return readResponse<T>(outcome.response, options, what, attempts);
      }
    },
  };
}

/**
 * How long a 429 asks to wait: Retry-After when sent (Retell); else the reset of Cal.com's
 * throttler, X-RateLimit-Reset or X-RateLimit-Reset-<Name> (seconds until the window or block
 * ends; a value that looks like a Unix time is read as one); else the known block time.
 */
export function rateLimitWait(headers: Headers, settings: { rateLimitBlockMs: number; maxRateLimitWaitMs: number }, now = Date.now()): { waitMs: number; basis: string } {
  const capped = (ms: number) => Math.min(Math.max(ms, 0), settings.maxRateLimitWaitMs);
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== undefined) return { waitMs: capped(retryAfter), basis: 'Retry-After' };
  const resets: Array<[string, number]> = [];
  headers.forEach((value, name) => {
    if (/^x-ratelimit-reset(-.+)?$/i.test(name) && /^\d+(\.\d+)?$/.test(value.trim())) resets.push([name, Number(value)]);
  });
  if (resets.length > 0) {
    // Several named limits may be reported; the request waits for the one that ends last.
    const [name, value] = resets.reduce((latest, entry) => (entry[1] > latest[1] ? entry : latest));
    const ms = value > 1e9 ? value * 1000 - now : value * 1000;
    return { waitMs: capped(Math.ceil(ms) + 250), basis: canonicalHeader(name) };
  }
  return { waitMs: capped(settings.rateLimitBlockMs), basis: 'block time' };
}

function canonicalHeader(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase()).replace('Ratelimit', 'RateLimit');
}

type Outcome = { kind: 'response'; response: Response } | { kind: 'network'; error: unknown };

async function attemptOnce(url: string, request: JsonRequest, options: JsonClientOptions, timeoutMs: number): Promise<Outcome> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: `Bearer ${options.apiKey}`,
    ...options.headers,
    ...request.headers,
  };
  let body: string | FormData | undefined;
  if (request.form) body = request.form;
  else if (request.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(request.body);
  }
  const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
  try {
    const response = await fetch(url, { method: request.method ?? 'GET', headers, body, signal: AbortSignal.any(signals) });
    return { kind: 'response', response };
  } catch (error) {
    if (options.signal?.aborted) throw new DrcError(`source ${options.source}: stopped`, { cause: error });
    return { kind: 'network', error };
  }
}

async function outcomeBodyDone(outcome: Outcome): Promise<void> {
  if (outcome.kind === 'response') await outcome.response.body?.cancel().catch(() => {});
}

async function readResponse<T>(response: Response, options: JsonClientOptions, what: string, attempt: number): Promise<T> {
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    throw new ServiceCallError(response.status, `source ${options.source}: API key rejected (${response.status}); check ${options.keyOrigin}`, {
      hint: `create a new API key in the ${options.source} dashboard and put it in ${options.keyOrigin}`,
    });
  }
  if (!response.ok) {
    const retried = attempt > 0 ? ` after ${attempt + 1} attempts` : '';
    throw new ServiceCallError(response.status, `source ${options.source}: ${what} failed with ${response.status}${retried}: ${describeErrorBody(text)}`, {
      hint: isRetryableStatus(response.status)
        ? 'the service is failing or rate-limiting; wait and run it again'
        : 'the service refused the request; the message above says why',
    });
  }
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DrcError(`source ${options.source}: ${what} returned something that is not JSON: ${preview(text)}`, {
      hint: 'check that baseUrl points at the API, not at a web page or proxy',
    });
  }
}

function networkError(options: JsonClientOptions, what: string, error: unknown, timeoutMs: number, attempt: number): ServiceCallError {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const cause = timedOut ? `no answer within ${formatDuration(timeoutMs)}` : describeNetworkError(error);
  return new ServiceCallError(undefined, `source ${options.source}: ${what} at ${options.baseUrl}: ${cause} (${attempt + 1} attempts)`, {
    hint: 'check the network and baseUrl; the service may be down (see its status page)',
    cause: error,
  });
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return redact(cause?.code ?? cause?.message ?? errorMessage(error));
}

/** Both vendors put a message somewhere in the error body; show it, never the whole body. */
function describeErrorBody(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const nested = body.error as Record<string, unknown> | string | undefined;
    const message =
      (typeof nested === 'object' && nested ? (nested.message as string | undefined) : nested) ??
      (body.message as string | undefined) ??
      (body.error_message as string | undefined);
    if (message) return redact(String(message));
  } catch {
    // not JSON: fall through to a preview of the text
  }
  return preview(text) || '(empty body)';
}

function preview(text: string): string {
  const flat = redact(text.replace(/\s+/g, ' ').trim());
  return flat.length > 200 ? `${flat.slice(0, 197)}…` : flat;
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Retry-After is seconds or an HTTP date; returns milliseconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function buildUrl(baseUrl: string, request: JsonRequest): string {
  const url = new URL(baseUrl + request.path);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

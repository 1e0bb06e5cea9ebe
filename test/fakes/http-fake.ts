import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The plumbing both vendor fakes share: a local HTTP server on 127.0.0.1 (port 0), Bearer
 * auth, request log, failure injection (the next N requests answer 429 with Retry-After, or
 * 500; or every request fails until the outage ends) and JSON in/out. The vendor files hold
 * only the endpoints.
 */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, or the FormData of a multipart body. */
  body: unknown;
  form?: FormData;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send as text instead of JSON. */
  text?: string;
}

export type FakeHandler = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeFailure {
  status: 429 | 500 | 502 | 503;
  /** Retry-After header value (seconds), for 429s. */
  retryAfter?: string;
}

export interface FakeServer {
  url: string;
  /** Every request seen, in order (method, path, headers). */
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers'] }>;
  failNext(count: number, failure: FakeFailure): void;
  /** Every request fails with `failure` (default 503) until comeBack(): a vendor outage. */
  goDown(failure?: FakeFailure): void;
  comeBack(): void;
  close(): Promise<void>;
}

export async function startFakeServer(options: {
  apiKey: string;
  /** Paths that need no key (signed storage URLs). */
  isPublic?: (path: string) => boolean;
  unauthorized: () => FakeReply;
  handle: FakeHandler;
  /** The vendor's error body for injected failures and outages (default {message}). */
  errorBody?: (status: number, message: string, path: string) => unknown;
  /**
   * Runs after authentication, before the handler: a rate limiter answers here (a 429) or adds
   * its headers to whatever the handler answers.
   */
  gate?: (request: FakeRequest) => { reply?: FakeReply; headers?: Record<string, string> };
}): Promise<FakeServer> {
  const failures: FakeFailure[] = [];
  let outage: FakeFailure | undefined;
  const requests: FakeServer['requests'] = [];
  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => send(res, { status: 500, body: { message: String(error) } }));
  });
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers });
    const raw = await readBody(req);
    const failure = outage ?? failures.shift();
    if (failure) {
      const message = failure.status === 429 ? 'Too many requests' : 'Internal server error';
      return send(res, {
        status: failure.status,
        body: options.errorBody ? options.errorBody(failure.status, message, url.pathname) : { message },
        headers: failure.retryAfter !== undefined ? { 'Retry-After': failure.retryAfter } : {},
      });
    }
    if (!options.isPublic?.(url.pathname) && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return send(res, options.unauthorized());
    }
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown;
    let form: FormData | undefined;
    if (contentType.startsWith('multipart/form-data')) {
      form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    } else if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return send(res, { status: 400, body: { message: 'body is not valid JSON' } });
      }
    }
    const request: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, form };
    const gate = options.gate?.(request);
    const reply = gate?.reply ?? (await options.handle(request));
    send(res, { ...reply, headers: { ...reply.headers, ...gate?.headers } });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (count, failure) => failures.push(...Array.from({ length: count }, () => failure)),
    goDown: (failure = { status: 503 }) => {
      outage = failure;
    },
    comeBack: () => {
      outage = undefined;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, reply: FakeReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = '';
  if (reply.text !== undefined) {
    headers['Content-Type'] = 'text/plain';
    payload = reply.text;
  } else if (reply.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(reply.body);
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** "/v2/event-types/12/webhooks" matched against "/v2/event-types/:id/webhooks". */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    if (want[i]!.startsWith(':')) params[want[i]!.slice(1)] = decodeURIComponent(got[i]!);
    else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

/**
 * Database URLs as the drivers write them, including forms WHATWG URL rejects, such as
 * `postgres://backup@/db?host=/run/postgresql` (user, no host, unix socket in the query).
 */
export interface ParsedDbUrl {
  scheme: string;
  user: string | undefined;
  password: string | undefined;
  host: string | undefined;
  port: number | undefined;
  database: string;
  params: URLSearchParams;
  /** The query string as written, kept verbatim when the URL is rebuilt. */
  query: string;
}

const DB_URL = /^([a-z][a-z0-9+.-]*):\/\/(?:([^:@/?#]*)(?::([^@/?#]*))?@)?(\[[^\]]+\]|[^:/?#]*)(?::(\d+))?(?:\/([^?#]*))?(?:\?([^#]*))?$/i;

export function parseDbUrl(text: string): ParsedDbUrl | undefined {
  const match = DB_URL.exec(text.trim());
  if (!match) return undefined;
  const [, scheme, user, password, host, port, database, query] = match;
  const decode = (value: string | undefined) => (value ? decodeURIComponent(value) : undefined);
  return {
    scheme: scheme!.toLowerCase(),
    user: decode(user),
    password: decode(password),
    host: decode(host),
    port: port ? Number(port) : undefined,
    database: decode(database) ?? '',
    params: new URLSearchParams(query ?? ''),
    query: query ?? '',
  };
}

/** The same URL pointing at another database (restores, scratch copies, RESTORE.md). */
export function replaceDatabase(text: string, database: string): string {
  const parsed = parseDbUrl(text);
  if (!parsed) return text;
  const auth = parsed.user !== undefined ? `${encodeURIComponent(parsed.user)}@` : '';
  const hostPart = `${parsed.host ?? ''}${parsed.port ? `:${parsed.port}` : ''}`;
  const query = parsed.query;
  return `${parsed.scheme}://${auth}${hostPart}/${encodeURIComponent(database)}${query ? `?${query}` : ''}`;
}

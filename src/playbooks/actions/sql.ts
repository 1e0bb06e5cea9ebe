import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Config, MysqlSourceConfig, PostgresSourceConfig } from '../../config/schema.js';
import { DrcError } from '../../errors.js';
import { mysqlDriverOptions, parseMysqlUrl, parsePostgresUrl } from '../../sources/db-url.js';

/** The first column of the first row, or `undefined` when the query returns no row. */
export interface SqlAnswer {
  rows: number;
  value: unknown;
}

/** Runs a check's query against a configured database, with its password resolved from env or file. */
export async function queryCheck(config: Config | undefined, sourceName: string, sql: string, timeoutMs: number): Promise<SqlAnswer> {
  const source = config?.sources.find((entry) => entry.name === sourceName);
  if (!source) {
    throw new DrcError(`sql check: no configured source "${sourceName}"`, { hint: 'pass --config with the config that defines it' });
  }
  if (source.type === 'postgres') return queryPostgres(source, sql, timeoutMs);
  if (source.type === 'mysql') return queryMysql(source, sql, timeoutMs);
  throw new DrcError(`sql check: source "${sourceName}" is ${source.type}, not a database`);
}

async function queryPostgres(source: PostgresSourceConfig, sql: string, timeoutMs: number): Promise<SqlAnswer> {
  const connection = parsePostgresUrl(source);
  const client = new pg.Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    database: connection.database,
    password: connection.password,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  await client.connect();
  try {
    const result = await client.query({ text: sql, rowMode: 'array' });
    const first = (result.rows[0] as unknown[] | undefined)?.[0];
    return { rows: result.rows.length, value: first };
  } finally {
    await client.end();
  }
}

async function queryMysql(source: MysqlSourceConfig, sql: string, timeoutMs: number): Promise<SqlAnswer> {
  const connection = await mysql.createConnection({ ...mysqlDriverOptions(parseMysqlUrl(source)), connectTimeout: timeoutMs });
  try {
    const [rows] = await connection.query({ sql, timeout: timeoutMs, rowsAsArray: true });
    const list = Array.isArray(rows) ? (rows as unknown[][]) : [];
    return { rows: list.length, value: list[0]?.[0] };
  } finally {
    await connection.end();
  }
}

/**
 * Compares a query's answer with a check's `expect`: a plain value must equal the first
 * column; "> 0", ">= 10", "!= 0" compare it as a number; no expectation means "returns a row".
 */
export function meetsExpectation(answer: SqlAnswer, expect: string | number | boolean | undefined): { ok: boolean; detail: string } {
  const got = answer.rows ? `got ${formatValue(answer.value)}` : 'no row';
  if (expect === undefined) return { ok: answer.rows > 0, detail: answer.rows ? `${answer.rows} row(s), first value ${formatValue(answer.value)}` : 'the query returned no row' };
  if (!answer.rows) return { ok: false, detail: `expected ${String(expect)}, the query returned no row` };
  const comparison = typeof expect === 'string' ? /^(>=|<=|!=|==|=|>|<)\s*(-?\d+(?:\.\d+)?)$/.exec(expect.trim()) : null;
  if (comparison) {
    const actual = Number(answer.value);
    const wanted = Number(comparison[2]);
    const ok = compare(actual, comparison[1]!, wanted);
    return { ok, detail: `expected ${comparison[1]} ${comparison[2]}, ${got}` };
  }
  const ok = typeof expect === 'number' ? Number(answer.value) === expect : String(normalize(answer.value)) === String(expect);
  return { ok, detail: `expected ${String(expect)}, ${got}` };
}

function compare(actual: number, operator: string, wanted: number): boolean {
  if (Number.isNaN(actual)) return false;
  switch (operator) {
    case '>': return actual > wanted;
    case '>=': return actual >= wanted;
    case '<': return actual < wanted;
    case '<=': return actual <= wanted;
    case '!=': return actual !== wanted;
    default: return actual === wanted;
  }
}

/** Drivers return booleans as 1/0 (MySQL) or true/false (PostgreSQL); compare them alike. */
function normalize(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value;
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const plain = normalize(value);
  return typeof plain === 'object' ? (JSON.stringify(plain) ?? String(plain)) : String(plain);
}

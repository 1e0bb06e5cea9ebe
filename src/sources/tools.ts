import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DrcError } from '../errors.js';
import { childEnvOptions } from '../trust/child-env.js';

const found = new Map<string, string | undefined>();

/** The first of `names` on PATH, or undefined. */
export function findOnPath(...names: string[]): string | undefined {
  const key = names.join('|');
  if (found.has(key)) return found.get(key);
  let result: string | undefined;
  outer: for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(':')) {
      const candidate = path.join(dir, name);
      if (dir && existsSync(candidate)) {
        result = candidate;
        break outer;
      }
    }
  }
  found.set(key, result);
  return result;
}

/**
 * A PostgreSQL client tool, newest installed major first: pg_dump must be at least as new as
 * the server, and Debian installs every major side by side under /usr/lib/postgresql.
 */
export function findPostgresTool(tool: 'pg_dump' | 'pg_restore' | 'psql' | 'pg_basebackup'): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) {
    const candidate = path.join(root, major, 'bin', tool);
    if (existsSync(candidate)) return candidate;
  }
  const onPath = findOnPath(tool);
  if (!onPath) {
    throw new DrcError(`${tool} not found`, { hint: 'install the PostgreSQL client tools (Debian: apt-get install postgresql-client)' });
  }
  return onPath;
}

const MYSQL_TOOLS = { dump: ['mariadb-dump', 'mysqldump'], client: ['mariadb', 'mysql'], binlog: ['mariadb-binlog', 'mysqlbinlog'] } as const;

/** mariadb-dump / mariadb / mariadb-binlog on MariaDB systems, mysqldump / mysql / mysqlbinlog elsewhere. */
export function findMysqlTool(tool: keyof typeof MYSQL_TOOLS): string {
  const names = MYSQL_TOOLS[tool];
  const onPath = findOnPath(...names);
  if (!onPath) {
    throw new DrcError(`${names.join(' or ')} not found`, { hint: 'install the MariaDB/MySQL client (Debian: apt-get install mariadb-client)' });
  }
  return onPath;
}

const versions = new Map<string, string>();

/** "pg_dump (PostgreSQL) 15.19": recorded in manifests so a restore knows what wrote the dump. */
export async function toolVersion(binary: string): Promise<string> {
  const cached = versions.get(binary);
  if (cached) return cached;
  const result = await execa(binary, ['--version'], { ...childEnvOptions(), reject: false });
  const version = (result.stdout || path.basename(binary)).split('\n')[0]!.trim();
  versions.set(binary, version);
  return version;
}

/** The last lines of a tool's stderr: what explains a failure, without flooding the message. */
export function stderrTail(stderr: unknown, lines = 8): string {
  const text = typeof stderr === 'string' ? stderr : Buffer.isBuffer(stderr) ? stderr.toString('utf8') : '';
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Settles when a tool exits: undefined on success, its error otherwise. Never rejects, so a
 * dump abandoned half-way (another stage failed) leaves no unhandled rejection behind. */
export function settleExit(child: Promise<unknown>): Promise<unknown> {
  return child.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** "source app-db: pg_dump failed: <the tool's own last stderr lines>". */
export function toolFailure(what: string, binary: string, failure: unknown): DrcError {
  const stderr = stderrTail((failure as { stderr?: unknown }).stderr);
  const message = failure instanceof Error ? failure.message : String(failure);
  return new DrcError(`${what}: ${path.basename(binary)} failed: ${stderr || message}`, { cause: failure });
}

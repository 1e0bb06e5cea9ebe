import type mysql from 'mysql2/promise';
import { DrcError } from '../errors.js';

/** The swap session gives up on a metadata lock after this long, not MySQL's default of a day. */
export const SWAP_LOCK_WAIT_SECONDS = 5;

/** How long a restore waits for other sessions to let go of the live tables before refusing. */
function swapWaitMs(): number {
  const seconds = Number(process.env.DRC_SWAP_WAIT_SECONDS ?? 30);
  return (Number.isFinite(seconds) && seconds >= 0 ? seconds : 30) * 1000;
}

export interface LockBlocker {
  id: number;
  user: string;
  host: string;
  seconds: number;
  command: string;
  /** The statement it runs, or the one its open transaction last ran; shortened. */
  query: string;
}

/**
 * Sessions holding (or queued for) metadata locks on the live tables: exactly, from MariaDB's
 * METADATA_LOCK_INFO plugin or MySQL's performance_schema.metadata_locks where available;
 * otherwise every session with an open transaction or a running statement in that database.
 * Seeing other users' sessions needs the PROCESS privilege; without it only the lock timeout guards.
 */
export async function findBlockers(db: mysql.Connection, database: string, tables: string[]): Promise<LockBlocker[]> {
  if (!tables.length) return [];
  const ids = (await exactHolders(db, database, tables)) ?? (await likelyHolders(db, database));
  if (!ids.length) return [];
  const [rows] = await db.query(
    `SELECT ID AS id, USER AS user, HOST AS host, TIME AS seconds, COMMAND AS command, INFO AS info,
            (SELECT trx_query FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = p.ID LIMIT 1) AS trxQuery
       FROM information_schema.PROCESSLIST p WHERE ID IN (?) ORDER BY TIME DESC`,
    [ids],
  );
  return (rows as Array<{ id: number; user: string; host: string; seconds: number; command: string; info: string | null; trxQuery: string | null }>).map((row) => ({
    id: Number(row.id),
    user: row.user,
    host: row.host,
    seconds: Number(row.seconds),
    command: row.command,
    query: shorten(row.info ?? row.trxQuery ?? (row.command === 'Sleep' ? 'idle in an open transaction' : '')),
  }));
}

export function describeBlockers(blockers: LockBlocker[]): string {
  return blockers
    .map((blocker) => `session ${blocker.id} (${blocker.user}@${blocker.host}, ${blocker.command.toLowerCase()} for ${blocker.seconds}s${blocker.query ? `: ${blocker.query}` : ''})`)
    .join('; ') + ' holds the live tables';
}

/**
 * Waits (bounded) until no other session holds the live tables, before anything live is
 * touched; refuses with the blockers named when they do not let go. Nothing is held while waiting.
 */
export async function waitForNoBlockers(db: mysql.Connection, database: string, tables: string[], what: string): Promise<void> {
  const deadline = Date.now() + swapWaitMs();
  for (;;) {
    const blockers = await findBlockers(db, database, tables);
    if (!blockers.length) return;
    if (Date.now() >= deadline) {
      throw new DrcError(`${what}: ${describeBlockers(blockers)}; the swap was refused and nothing live was touched`, {
        hint: `end that transaction (KILL ${blockers[0]!.id}) or wait for it, then restore again; DRC_SWAP_WAIT_SECONDS sets how long drc waits`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function exactHolders(db: mysql.Connection, database: string, tables: string[]): Promise<number[] | undefined> {
  try {
    const [rows] = await db.query(
      `SELECT DISTINCT THREAD_ID AS id FROM information_schema.METADATA_LOCK_INFO
        WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?) AND THREAD_ID <> CONNECTION_ID()`,
      [database, tables],
    );
    return (rows as Array<{ id: number }>).map((row) => Number(row.id));
  } catch {
    // MariaDB without the METADATA_LOCK_INFO plugin, or MySQL
  }
  // performance_schema tracks metadata locks by default on MySQL 8 only; MariaDB's stays empty unless instrumented.
  const [[facts]] = (await db.query('SELECT VERSION() AS version, @@performance_schema AS ps')) as unknown as [Array<{ version: string; ps: number }>];
  if (!facts || /mariadb/i.test(facts.version) || Number(facts.ps) !== 1) return undefined;
  try {
    const [rows] = await db.query(
      `SELECT DISTINCT t.PROCESSLIST_ID AS id FROM performance_schema.metadata_locks m
         JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
        WHERE m.OBJECT_SCHEMA = ? AND m.OBJECT_NAME IN (?) AND t.PROCESSLIST_ID IS NOT NULL AND t.PROCESSLIST_ID <> CONNECTION_ID()`,
      [database, tables],
    );
    return (rows as Array<{ id: number }>).map((row) => Number(row.id));
  } catch {
    return undefined;
  }
}

async function likelyHolders(db: mysql.Connection, database: string): Promise<number[]> {
  const [rows] = await db.query(
    `SELECT p.ID AS id FROM information_schema.PROCESSLIST p
      WHERE p.ID <> CONNECTION_ID() AND p.DB = ?
        AND (p.COMMAND = 'Query' OR EXISTS (SELECT 1 FROM information_schema.INNODB_TRX t WHERE t.trx_mysql_thread_id = p.ID))`,
    [database],
  );
  return (rows as Array<{ id: number }>).map((row) => Number(row.id));
}

function shorten(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}…` : flat;
}

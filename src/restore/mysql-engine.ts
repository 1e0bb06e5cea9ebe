import mysql from 'mysql2/promise';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import type { MysqlSourceConfig } from '../config/schema.js';
import { DrcError, errorMessage } from '../errors.js';
import { mysqlDriverOptions, mysqlEnv, mysqlToolArgs, parseMysqlUrl } from '../sources/db-url.js';
import { listMysqlTables } from '../sources/mysql.js';
import { findMysqlTool } from '../sources/tools.js';
import { judgeSmokeCheck } from './db-checks.js';
import type { DatabaseEngine } from './engine.js';
import { feedTool } from './feed-tool.js';
import { settle, streamInput } from './tool-input.js';
import { quoteMysqlIdent as q } from './names.js';
import { MysqlTableSlice } from './mysql-table-slice.js';
import { describeBlockers, findBlockers, SWAP_LOCK_WAIT_SECONDS, waitForNoBlockers } from './mysql-blockers.js';
import type { RestoreJournal, SavedTrigger } from './restore-journal.js';
import { shellJoin } from '../trust/shell-quote.js';


export function createMysqlEngine(source: MysqlSourceConfig): DatabaseEngine {
  const live = parseMysqlUrl(source);
  const what = `source ${source.name}`;
  let admin: mysql.Connection | undefined;
  const db = async () => {
    if (admin) return admin;
    try {
      admin = await mysql.createConnection({ ...mysqlDriverOptions(live), database: undefined, connectTimeout: 10_000 });
    } catch (error) {
      throw new DrcError(`${what}: cannot connect to MySQL/MariaDB (${errorMessage(error)})`, { hint: 'check the server is running and the URL in the config' });
    }
    return admin;
  };
  const rows = async <T>(sql: string, params: unknown[] = []) => (await (await db()).query(sql, params))[0] as T[];
  const exec = async (sql: string, params: unknown[] = []) => {
    await (await db()).query(sql, params);
  };

  const engine: DatabaseEngine = {
    kind: 'MySQL/MariaDB',
    database: live.database,
    async exists(database) {
      return (await rows('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database])).length > 0;
    },
    async isEmpty(database) {
      return (await rows('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? LIMIT 1', [database])).length === 0;
    },
    async create(database) {
      const [charset] = await rows<{ cs: string; co: string }>(
        'SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [live.database],
      );
      try {
        await exec(`CREATE DATABASE ${q(database)}${charset ? ` CHARACTER SET ${charset.cs} COLLATE ${charset.co}` : ''}`);
      } catch (error) {
        throw new DrcError(`${what}: cannot create database "${database}" (${errorMessage(error)})`, {
          hint: 'the restore user needs CREATE, DROP and ALTER on new databases: GRANT ALL ON `db\\_%`.* TO …',
        });
      }
    },
    async drop(database) {
      await exec(`DROP DATABASE IF EXISTS ${q(database)}`);
    },
    async load(database, input, table) {
      // --one-database: the client skips anything addressed to another database (a dump drc wrote has no USE);
      // defence in depth behind the stored sha256, which is checked before a byte is loaded.
      const args = [...mysqlToolArgs(live), '--binary-mode', '--one-database', database];
      const where = `${what}: restore into "${database}"`;
      if (!table) return feedTool(input, findMysqlTool('client'), args, mysqlEnv(live), where);
      // One table's part of the dump: the stream passes through the slicer here in Node.
      const slice = new MysqlTableSlice(table);
      const sliced = new PassThrough();
      const read = pipeline(input.stream, slice, sliced);
      await settle(input, Promise.all([read, feedTool(streamInput(sliced), findMysqlTool('client'), args, mysqlEnv(live), where)]));
      if (!slice.found) throw new DrcError(`${what}: the dump holds no table "${table}"`);
    },
    async countRows(database) {
      const connection = await db();
      const counts: Array<{ name: string; rows: number }> = [];
      for (const table of await listMysqlTables(connection, database)) {
        const [result] = await connection.query(`SELECT COUNT(*) AS n FROM ${q(database)}.${q(table)}`);
        counts.push({ name: table, rows: Number((result as Array<{ n: number }>)[0]!.n) });
      }
      return counts;
    },
    async runSmokeChecks(database, checks) {
      const connection = await mysql.createConnection({ ...mysqlDriverOptions(live, database), connectTimeout: 10_000 });
      const problems: string[] = [];
      try {
        for (const check of checks) {
          try {
            const [result] = await connection.query({ sql: check.sql, rowsAsArray: true });
            const list = result as unknown[][];
            const problem = judgeSmokeCheck(check, list[0]?.[0], list.length > 0);
            if (problem) problems.push(problem);
          } catch (error) {
            problems.push(`smoke check "${check.name ?? check.sql}": ${errorMessage(error)}`);
          }
        }
      } finally {
        await connection.end().catch(() => {});
      }
      return problems;
    },
    manifestTableName: (table, known) => known.find((name) => name === table),
    async swapDatabase(restored, before, journal) {
      const liveTables = (await engine.exists(live.database)) ? await listMysqlTables(await db(), live.database) : [];
      const restoredTables = await listMysqlTables(await db(), restored);
      if (!(await engine.exists(live.database))) await engine.create(live.database);
      const notes = await renameAtomically(restored, before, liveTables, restoredTables, journal);
      // The tables are swapped: from here a problem is a note, never a "nothing live was changed" failure.
      notes.push(...(await recreateViews(restored).catch((error: unknown) => [`could not recreate views (${errorMessage(error)}): recreate them from the dump`])));
      notes.push('stored routines and events: the live ones were left as they are (the backup holds its own copies)');
      await engine.drop(restored).catch(() => {}); // run-restore drops what is left of it too
      return notes;
    },
    async swapTable(restored, before, table, journal) {
      const referencing = await rows<{ t: string }>(
        `SELECT DISTINCT TABLE_NAME AS t FROM information_schema.REFERENTIAL_CONSTRAINTS
          WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ? AND TABLE_NAME <> ?`,
        [live.database, table, table],
      );
      if (referencing.length) {
        throw new DrcError(
          `${what}: table ${table} is referenced by foreign keys from ${referencing.map((row) => row.t).join(', ')}; moving it would take those references along`,
          { hint: 'restore the whole database, or restore --into another database and copy the rows you need' },
        );
      }
      const liveHas = (await listMysqlTables(await db(), live.database)).includes(table);
      const notes = await renameAtomically(restored, before, liveHas ? [table] : [], [table], journal);
      await engine.drop(restored).catch(() => {}); // swapped already; run-restore drops what is left of it too
      return notes;
    },
    dropHint(before) {
      return shellJoin(['mariadb', ...mysqlToolArgs(live), `--execute=DROP DATABASE ${q(before)}`]);
    },
    async close() {
      await admin?.end().catch(() => {});
      admin = undefined;
    },
  };

  /**
   * One RENAME TABLE moves the live tables out to `before` and the restored ones in: MySQL
   * runs it atomically, so readers see either the old set of tables or the new one. Triggers
   * cannot cross databases, so the live ones are dropped just before and the backup's created
   * just after. That window is kept short and bounded: nothing live is touched while another
   * session holds a lock on the live tables (drc names it and refuses), and every statement of
   * the swap gives up after SWAP_LOCK_WAIT_SECONDS instead of MySQL's default day, putting the
   * live triggers back. Each step is journaled first, so a kill in between is recovered.
   */
  async function renameAtomically(restored: string, before: string, outgoing: string[], incoming: string[], journal: RestoreJournal): Promise<string[]> {
    // The scratch copy's triggers first: a failure there must not find the live ones already dropped.
    const restoredTriggers = await readTriggers(restored, incoming);
    for (const trigger of restoredTriggers) await exec(`DROP TRIGGER ${q(restored)}.${q(trigger.name)}`);
    await exec(`SET SESSION lock_wait_timeout = ${SWAP_LOCK_WAIT_SECONDS}`);
    await waitForNoBlockers(await db(), live.database, outgoing, what);
    await journal.step('create-before');
    await engine.create(before);
    const liveTriggers = await readTriggers(live.database, outgoing);
    await journal.step('drop-live-triggers', { triggers: liveTriggers });
    const dropped: SavedTrigger[] = [];
    const moves = [
      ...outgoing.map((table) => `${q(live.database)}.${q(table)} TO ${q(before)}.${q(table)}`),
      ...incoming.map((table) => `${q(restored)}.${q(table)} TO ${q(live.database)}.${q(table)}`),
    ];
    try {
      for (const trigger of liveTriggers) {
        await exec(`DROP TRIGGER ${q(live.database)}.${q(trigger.name)}`);
        dropped.push(trigger);
      }
      await journal.step('rename-tables', { outgoing, incoming, triggers: restoredTriggers });
      await exec(`RENAME TABLE ${moves.join(', ')}`);
    } catch (error) {
      await putTriggers(live.database, dropped).catch(() => {});
      await engine.drop(before).catch(() => {});
      const blockers = await findBlockers(await db(), live.database, outgoing).catch(() => []);
      throw new DrcError(`${what}: the atomic RENAME TABLE failed (${errorMessage(error)}); the live tables and their triggers are unchanged`, {
        ...(blockers.length ? { hint: `${describeBlockers(blockers)}; end it (KILL <id>) or wait for it, then restore again` } : {}),
      });
    }
    await journal.step('put-restored-triggers');
    const notes = [`${incoming.length} table(s) moved in with one atomic RENAME TABLE; the previous ${outgoing.length} table(s) are kept in ${before}`];
    // The swap is done: a trigger that will not come back is reported, not thrown as "nothing changed".
    const untriggered = await putTriggers(live.database, restoredTriggers).then(
      () => undefined,
      (error: unknown) => errorMessage(error),
    );
    if (untriggered) notes.push(`could not recreate the backup's triggers on the restored tables (${untriggered}): recreate them from the dump`);
    else if (restoredTriggers.length) notes.push(`recreated ${restoredTriggers.length} trigger(s) from the backup on the restored tables`);
    if (liveTriggers.length) notes.push(`the kept tables in ${before} have no triggers (${liveTriggers.map((t) => t.name).join(', ')} belonged to the old tables)`);
    return notes;
  }

  /** Every definition of the triggers on `tables`, in firing order, read before any is dropped. */
  async function readTriggers(database: string, tables: string[]): Promise<SavedTrigger[]> {
    if (!tables.length) return [];
    const found = await rows<{ name: string; tbl: string }>(
      'SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY ACTION_ORDER',
      [database],
    );
    const saved: SavedTrigger[] = [];
    for (const trigger of found.filter((entry) => tables.includes(entry.tbl))) {
      const [definition] = await rows<Record<string, string>>(`SHOW CREATE TRIGGER ${q(database)}.${q(trigger.name)}`);
      saved.push({ name: trigger.name, table: trigger.tbl, statement: definition!['SQL Original Statement']! });
    }
    return saved;
  }

  async function putTriggers(database: string, triggers: SavedTrigger[]): Promise<void> {
    if (!triggers.length) return;
    const connection = await mysql.createConnection({ ...mysqlDriverOptions(live, database), connectTimeout: 10_000 });
    try {
      for (const trigger of triggers) await connection.query(trigger.statement);
    } finally {
      await connection.end().catch(() => {});
    }
  }

  /** Views cannot move between databases: those the live database lacks are recreated from the restored copy. */
  async function recreateViews(restored: string): Promise<string[]> {
    const views = await rows<{ name: string; body: string }>('SELECT TABLE_NAME AS name, VIEW_DEFINITION AS body FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?', [restored]);
    const existing = new Set((await rows<{ name: string }>('SELECT TABLE_NAME AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?', [live.database])).map((row) => row.name));
    const created: string[] = [];
    const failed: string[] = [];
    for (const view of views.filter((entry) => !existing.has(entry.name))) {
      const body = view.body.split(`${q(restored)}.`).join(`${q(live.database)}.`);
      try {
        await exec(`CREATE VIEW ${q(live.database)}.${q(view.name)} AS ${body}`);
        created.push(view.name);
      } catch (error) {
        failed.push(`${view.name} (${errorMessage(error)})`);
      }
    }
    const notes = [`views: ${existing.size} kept as they were (they read the restored tables by name)${created.length ? `, recreated ${created.join(', ')}` : ''}`];
    if (failed.length) notes.push(`could not recreate views ${failed.join('; ')}: recreate them from the dump`);
    return notes;
  }

  return engine;
}

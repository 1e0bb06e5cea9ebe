import type { Config, MysqlSourceConfig, PostgresSourceConfig } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Emit } from '../events.js';
import { mysqlDriverOptions, parseMysqlUrl, parsePostgresUrl, withPostgresDatabase } from '../sources/db-url.js';
import { acquireLock, isAlive } from '../state/lock.js';
import { quoteMysqlIdent, quotePgIdent } from './names.js';
import { planMysqlRecovery, planPostgresRecovery, type RecoveryAction, type RecoveryPlan } from './recovery-plan.js';
import { readRestoreJournals, removeJournal, type JournalFile } from './restore-journal.js';

export interface RecoveryReport {
  recovered: RecoveryPlan[];
  /** Journals of dead runs that could not be settled now (server down, source gone): drc status is CRITICAL. */
  unresolved: Array<{ journal: JournalFile; error: string }>;
  /** Journals of runs still going (their drc is alive). */
  running: JournalFile[];
}

/**
 * Settles every restore, drill or verify --deep that a killed drc left half-done, and says in
 * one line per journal what it did. Runs at the start of every command that loads the config;
 * cheap when there is nothing (one readdir). A journal whose drc is still alive is left alone.
 */
export async function recoverUnfinishedRestores(config: Config, stateDir: string, emit: Emit): Promise<RecoveryReport> {
  const report: RecoveryReport = { recovered: [], unresolved: [], running: [] };
  for (const journal of await readRestoreJournals(stateDir)) {
    if (journal.begin.pid !== process.pid && isAlive(journal.begin.pid)) {
      report.running.push(journal);
      continue;
    }
    try {
      const lock = await acquireLock(stateDir, `recover-${journal.begin.source}`, 'drc restore --recover');
      try {
        const plan = await settleJournal(config, journal);
        await removeJournal(journal);
        report.recovered.push(plan);
        emit({ type: 'log', level: 'warn', message: plan.summary });
      } finally {
        await lock.release();
      }
    } catch (error) {
      report.unresolved.push({ journal, error: errorMessage(error) });
      emit({
        type: 'log',
        level: 'error',
        message: `interrupted ${journal.begin.kind} of ${journal.begin.source} (pid ${journal.begin.pid}) is not settled: ${errorMessage(error)}`,
        hint: `"${journal.begin.live}" may refuse connections or miss triggers; fix the cause and run: drc restore --recover`,
      });
    }
  }
  return report;
}

/** One journal: look at the server, plan, act. Exposed for run-restore, which settles its own failed swap the same way. */
export async function settleJournal(config: Config, journal: JournalFile): Promise<RecoveryPlan> {
  const source = config.sources.find((entry) => entry.name === journal.begin.source);
  if (!source || (source.type !== 'postgres' && source.type !== 'mysql')) {
    throw new Error(`source ${journal.begin.source} is no longer a database source in the config`);
  }
  return source.type === 'postgres' ? settlePostgres(source, journal) : settleMysql(source, journal);
}

async function settlePostgres(source: PostgresSourceConfig, journal: JournalFile): Promise<RecoveryPlan> {
  const { connectPostgres } = await import('../sources/postgres.js');
  const client = await connectPostgres(withPostgresDatabase(parsePostgresUrl(source), 'postgres'), `source ${source.name}`, 'postgres');
  try {
    const { live, scratch } = journal.begin;
    const before = journal.begin.before ?? '';
    const { rows } = await client.query<{ datname: string; datallowconn: boolean }>('SELECT datname, datallowconn FROM pg_database WHERE datname = ANY($1)', [[live, scratch, before]]);
    const find = (name: string) => rows.find((row) => row.datname === name);
    const plan = planPostgresRecovery(journal, {
      liveExists: Boolean(find(live)),
      scratchExists: Boolean(find(scratch)),
      beforeExists: Boolean(before && find(before)),
      liveAllowsConnections: find(live)?.datallowconn ?? true,
      beforeAllowsConnections: find(before)?.datallowconn ?? true,
    });
    for (const action of plan.actions) await client.query(postgresStatement(action));
    return plan;
  } finally {
    await client.end().catch(() => {});
  }
}

function postgresStatement(action: RecoveryAction): string {
  switch (action.do) {
    case 'allow-connections':
      return `ALTER DATABASE ${quotePgIdent(action.database)} WITH ALLOW_CONNECTIONS true`;
    case 'rename-database':
      return `ALTER DATABASE ${quotePgIdent(action.from)} RENAME TO ${quotePgIdent(action.to)}`;
    case 'drop-database':
      return `DROP DATABASE IF EXISTS ${quotePgIdent(action.database)} WITH (FORCE)`;
    default:
      throw new Error(`no PostgreSQL recovery for "${action.do}"`);
  }
}

async function settleMysql(source: MysqlSourceConfig, journal: JournalFile): Promise<RecoveryPlan> {
  const [{ default: mysql }, { listMysqlTables }] = await Promise.all([import('mysql2/promise'), import('../sources/mysql.js')]);
  const live = parseMysqlUrl(source);
  const connection = await mysql.createConnection({ ...mysqlDriverOptions(live), database: undefined, connectTimeout: 10_000 });
  try {
    const { scratch } = journal.begin;
    const before = journal.begin.before ?? '';
    const [schemata] = await connection.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?, ?)', [scratch, before || scratch]);
    const existing = (schemata as Array<{ name: string }>).map((row) => row.name);
    const [triggers] = await connection.query('SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [journal.begin.live]);
    const plan = planMysqlRecovery(journal, {
      scratchExists: existing.includes(scratch),
      beforeExists: Boolean(before) && existing.includes(before),
      liveTables: await listMysqlTables(connection, journal.begin.live),
      scratchTables: await listMysqlTables(connection, scratch),
      liveTriggers: (triggers as Array<{ name: string }>).map((row) => row.name),
    });
    for (const action of plan.actions) {
      if (action.do === 'put-triggers') {
        // Trigger statements name their table unqualified: run them with the live database as default.
        const onLive = await mysql.createConnection({ ...mysqlDriverOptions(live, action.database), connectTimeout: 10_000 });
        try {
          for (const trigger of action.triggers) await onLive.query(trigger.statement);
        } finally {
          await onLive.end().catch(() => {});
        }
      } else if (action.do === 'drop-database') {
        await connection.query(`DROP DATABASE IF EXISTS ${quoteMysqlIdent(action.database)}`);
      } else if (action.do === 'drop-database-if-empty') {
        if (!(await listMysqlTables(connection, action.database)).length) await connection.query(`DROP DATABASE IF EXISTS ${quoteMysqlIdent(action.database)}`);
      } else {
        throw new Error(`no MySQL/MariaDB recovery for "${action.do}"`);
      }
    }
    return plan;
  } finally {
    await connection.end().catch(() => {});
  }
}

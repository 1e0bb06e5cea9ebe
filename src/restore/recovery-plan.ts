import type { JournalFile, SavedTrigger, StepName } from './restore-journal.js';

/**
 * What to do about a journal left by a killed drc: pure functions of the journal and of what
 * the server looks like now, so every crash point is decided by the same small rules (and
 * tested without a server). The rule: a swap whose atomic rename committed is finished; any
 * other is undone. Either way connections are allowed again, the live name holds a complete
 * database, triggers are as they were (or as restored), and scratch databases are dropped.
 */
export type RecoveryAction =
  | { do: 'allow-connections'; database: string }
  | { do: 'rename-database'; from: string; to: string }
  | { do: 'drop-database'; database: string }
  | { do: 'drop-database-if-empty'; database: string }
  | { do: 'put-triggers'; database: string; triggers: SavedTrigger[] };

export interface RecoveryPlan {
  outcome: 'finished' | 'undone' | 'cleaned';
  actions: RecoveryAction[];
  /** The one line drc prints about it. */
  summary: string;
}

export interface PostgresFacts {
  liveExists: boolean;
  scratchExists: boolean;
  beforeExists: boolean;
  liveAllowsConnections: boolean;
  beforeAllowsConnections: boolean;
}

export interface MysqlFacts {
  scratchExists: boolean;
  beforeExists: boolean;
  liveTables: string[];
  scratchTables: string[];
  /** Trigger names on the live database now. */
  liveTriggers: string[];
}

export function reachedStep(journal: JournalFile, step: StepName): boolean {
  return journal.steps.some((entry) => entry.step === step);
}

function label(journal: JournalFile): string {
  const { kind, source, pid, at } = journal.begin;
  return `interrupted ${kind === 'verify' ? 'verify --deep' : kind} of ${source} (pid ${pid}, ${at})`;
}

/** Drills and deep verifications only ever create a scratch database: dropping it is all. */
function planScratchOnly(journal: JournalFile, scratchExists: boolean): RecoveryPlan {
  return {
    outcome: 'cleaned',
    actions: scratchExists ? [{ do: 'drop-database', database: journal.begin.scratch }] : [],
    summary: `${label(journal)}: ${scratchExists ? `scratch database "${journal.begin.scratch}" dropped` : 'nothing was left behind'}; live data was never touched`,
  };
}

export function planPostgresRecovery(journal: JournalFile, facts: PostgresFacts): RecoveryPlan {
  const { live, scratch } = journal.begin;
  const before = journal.begin.before ?? '';
  if (journal.begin.kind !== 'restore') return planScratchOnly(journal, facts.scratchExists);
  const renamed = reachedStep(journal, 'rename-databases') && !facts.scratchExists && facts.liveExists;
  const actions: RecoveryAction[] = [];
  if (renamed) {
    // The rename transaction committed: the restored copy is live. Only connection flags may be left.
    if (!facts.liveAllowsConnections) actions.push({ do: 'allow-connections', database: live });
    if (facts.beforeExists && !facts.beforeAllowsConnections) actions.push({ do: 'allow-connections', database: before });
    return {
      outcome: 'finished',
      actions,
      summary: `${label(journal)}: finished — the restored copy is live as "${live}"${facts.beforeExists ? `, the previous data kept as "${before}"` : ''}${actions.length ? ', connections allowed again' : ''}`,
    };
  }
  // Not renamed: the live database is the old one. A live name lost any other way is put back.
  if (!facts.liveExists && facts.beforeExists) actions.push({ do: 'rename-database', from: before, to: live });
  if ((facts.liveExists && !facts.liveAllowsConnections) || (!facts.liveExists && facts.beforeExists && !facts.beforeAllowsConnections)) {
    actions.push({ do: 'allow-connections', database: live });
  }
  if (facts.scratchExists) actions.push({ do: 'drop-database', database: scratch });
  return {
    outcome: 'undone',
    actions,
    summary: `${label(journal)}: undone — "${live}" is the data it was before${actions.some((action) => action.do === 'allow-connections') ? ', connections allowed again' : ''}${facts.scratchExists ? `, scratch "${scratch}" dropped` : ''}`,
  };
}

export function planMysqlRecovery(journal: JournalFile, facts: MysqlFacts): RecoveryPlan {
  const { live, scratch } = journal.begin;
  const before = journal.begin.before ?? '';
  if (journal.begin.kind !== 'restore') return planScratchOnly(journal, facts.scratchExists);
  const rename = journal.steps.find((entry) => entry.step === 'rename-tables');
  const incoming = rename?.incoming ?? [];
  // RENAME TABLE is atomic: it happened when every incoming table is in live and none is left in scratch.
  const renamed = Boolean(rename) && incoming.length > 0 && incoming.every((table) => facts.liveTables.includes(table) && !facts.scratchTables.includes(table));
  const actions: RecoveryAction[] = [];
  const missing = (triggers: SavedTrigger[]) => triggers.filter((trigger) => !facts.liveTriggers.includes(trigger.name));
  if (renamed) {
    const restored = missing(rename?.triggers ?? []);
    if (restored.length) actions.push({ do: 'put-triggers', database: live, triggers: restored });
    if (facts.scratchExists) actions.push({ do: 'drop-database', database: scratch });
    return {
      outcome: 'finished',
      actions,
      summary: `${label(journal)}: finished — the restored tables are live in "${live}"${restored.length ? `, ${restored.length} trigger(s) from the backup recreated` : ''}, the previous tables kept in "${before}"`,
    };
  }
  const dropped = missing(journal.steps.find((entry) => entry.step === 'drop-live-triggers')?.triggers ?? []);
  if (dropped.length) actions.push({ do: 'put-triggers', database: live, triggers: dropped });
  if (facts.beforeExists) actions.push({ do: 'drop-database-if-empty', database: before });
  if (facts.scratchExists) actions.push({ do: 'drop-database', database: scratch });
  return {
    outcome: 'undone',
    actions,
    summary: `${label(journal)}: undone — "${live}" keeps its tables${dropped.length ? `, its ${dropped.length} trigger(s) put back` : ''}${facts.scratchExists ? `, scratch "${scratch}" dropped` : ''}`,
  };
}

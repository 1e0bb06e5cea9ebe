import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { withStopSignals } from '../signals.js';
import { commandAction, type CommandContext } from '../context.js';
import { DrcError, EXIT, type ExitCode } from '../../errors.js';

interface RestoreFlags {
  source?: string;
  recover?: boolean;
  all?: boolean;
  root?: string;
  into?: string;
  table?: string;
  target?: string;
  key?: string;
  at?: string;
  before?: string;
  yes?: boolean;
  timeZone?: string;
  dataDir?: string;
  allowUnsigned?: boolean;
}

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('restore one source from a set: into a new database first, checked, then swapped in (the old one is kept)')
    .argument('[set]', 'set id, or "latest"')
    .option('--source <name>', 'the source to restore')
    .option('--all', 'every source of the set: databases, then files, then SaaS state as a plan (the whole server)')
    .option('--root <dir>', 'with --all: put every files item below this folder instead of in place')
    .option('--recover', 'only finish or undo what an interrupted restore, drill or verify --deep left half-done')
    .option('--into <name>', 'restore into this new database (or folder, for files) instead of replacing the live one')
    .option('--table <table>', 'restore only this table; every other table is left untouched')
    .option('--target <name>', 'read the set from this target only')
    .option('--key <file>', 'private key for sets encrypted to public keys (or env DRC_PRIVATE_KEY_FILE; its passphrase in DRC_PRIVATE_KEY_PASSPHRASE)')
    .option('--at <time>', 'point in time: ISO-8601, a wall clock ("2026-12-02 17:59:30", local zone or --time-zone), or "5m" ago; the newest backup before it plus the archived binlogs/WAL up to it')
    .option('--time-zone <zone>', 'IANA zone a wall-clock --at is read in (default: this machine\'s)')
    .option('--before <file:pos>', 'MySQL/MariaDB point in time: replay up to just before this binlog event (from drc binlog find)')
    .option('--data-dir <path>', 'PostgreSQL pitr: recover the whole cluster into this empty folder (a rebuilt server) and say how to start it')
    .option('--yes', 'do not ask (required without a terminal)')
    .option('--allow-unsigned', 'accept a legacy set without a manifest seal (written before drc sealed sets), with a warning')
    .action(
      commandAction<RestoreFlags>(async (context, flags, args) => {
        if (flags.recover) {
          // Loading the config settles interrupted restores (see context.ts): --recover stops there.
          const { stateDir } = await context.loadConfig();
          return reportRecovery(context, stateDir);
        }
        if (Boolean(flags.all) === Boolean(flags.source)) {
          throw new DrcError(flags.all ? '--all restores every source; --source restores one: use one of them' : 'restore needs --source NAME, or --all for every source of the set', {
            hint: 'drc restore latest --source app-db, or drc restore latest --all',
          });
        }
        if (flags.root && !flags.all) throw new DrcError('--root re-roots the files items of restore --all', { hint: 'for one files source, use --into FOLDER' });
        if (flags.all && (flags.into || flags.table || flags.target)) {
          throw new DrcError('restore --all takes every item of the set to where it belongs: --into, --table and --target go with --source', { hint: 'use --root DIR to put the files items of --all elsewhere' });
        }
        const { config, stateDir } = await context.loadConfig();
        if (!args[0]) throw new DrcError('restore needs a set: a set id or "latest"', { hint: 'drc restore latest --source NAME' });
        if (flags.all) {
          const { restoreAll } = await import('../../restore/restore-all.js');
          return withStopSignals(async (signal) => {
            const outcome = await restoreAll({ config, stateDir, set: args[0]!, root: flags.root, keyFile: flags.key, yes: Boolean(flags.yes), emit: context.emit, signal, confirm: context.interactive ? askOnTerminal : undefined });
            return outcome.exitCode;
          });
        }
        // Loaded on use, so other commands start without openpgp and the database drivers.
        const { runRestore } = await import('../../restore/run-restore.js');
        return withStopSignals(async (signal) => {
          const at = flags.at ? (await import('../../archive/point-in-time.js')).parsePointInTime(flags.at, flags.timeZone ? { timeZone: flags.timeZone } : {}) : undefined;
          if (at) context.emit({ type: 'log', level: 'info', message: `--at ${flags.at}: ${at.at.toISOString()} (${at.readAs})` });
          const outcome = await runRestore({
            at: at?.at,
            dataDir: flags.dataDir,
            config,
            stateDir,
            set: args[0]!,
            source: flags.source!,
            into: flags.into,
            table: flags.table,
            target: flags.target,
            keyFile: flags.key,
            before: flags.before,
            yes: Boolean(flags.yes),
            allowUnsigned: Boolean(flags.allowUnsigned),
            emit: context.emit,
            signal,
            confirm: context.interactive ? askOnTerminal : undefined,
        });
        return outcome.exitCode;
        });
      }),
    );
}

/** After the config loaded, nothing may be left: exit 0, or 2 naming what could not be settled. */
async function reportRecovery(context: CommandContext, stateDir: string): Promise<ExitCode> {
  const { readRestoreJournals } = await import('../../restore/restore-journal.js');
  const { isAlive } = await import('../../state/lock.js');
  const left = (await readRestoreJournals(stateDir)).filter((journal) => !isAlive(journal.begin.pid));
  const exitCode = left.length ? EXIT.critical : EXIT.ok;
  context.emit({
    type: 'result',
    command: 'restore',
    exitCode,
    summary: left.length ? `recover FAILED: ${left.length} interrupted run(s) still unsettled (${left.map((journal) => journal.begin.source).join(', ')})` : 'recover OK: no interrupted restore, drill or verify is left',
    data: { unsettled: left.map((journal) => journal.begin) },
  });
  return exitCode;
}

/** The plan was already printed; a plain y/N on stderr, default no. */
async function askOnTerminal(): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question('Go ahead? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

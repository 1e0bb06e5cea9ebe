import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { withStopSignals } from '../signals.js';
import { commandAction, type CommandContext } from '../context.js';
import { DrcError, EXIT, type ExitCode } from '../../errors.js';

interface RestoreFlags {
  source?: string;
  recover?: boolean;
  into?: string;
  table?: string;
  target?: string;
  key?: string;
  yes?: boolean;
}

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('restore one source from a set: into a new database first, checked, then swapped in (the old one is kept)')
    .argument('[set]', 'set id, or "latest"')
    .option('--source <name>', 'the source to restore')
    .option('--recover', 'only finish or undo what an interrupted restore, drill or verify --deep left half-done')
    .option('--into <name>', 'restore into this new database (or folder, for files) instead of replacing the live one')
    .option('--table <table>', 'restore only this table; every other table is left untouched')
    .option('--target <name>', 'read the set from this target only')
    .option('--key <file>', 'private key for sets encrypted to public keys (or env DRC_PRIVATE_KEY_FILE; its passphrase in DRC_PRIVATE_KEY_PASSPHRASE)')
    .option('--yes', 'do not ask (required without a terminal)')
    .action(
      commandAction<RestoreFlags>(async (context, flags, args) => {
        // Loading the config settles interrupted restores (see context.ts): --recover stops there.
        const { config, stateDir } = await context.loadConfig();
        if (flags.recover) return reportRecovery(context, stateDir);
        if (!args[0] || !flags.source) {
          throw new DrcError('restore needs a set and a source', { hint: 'drc restore latest --source NAME (or drc restore --recover)' });
        }
        const source = flags.source;
        // Loaded on use, so other commands start without openpgp and the database drivers.
        const { runRestore } = await import('../../restore/run-restore.js');
        return withStopSignals(async (signal) => {
          const outcome = await runRestore({
            config,
            stateDir,
            set: args[0]!,
            source,
            into: flags.into,
            table: flags.table,
            target: flags.target,
            keyFile: flags.key,
            yes: Boolean(flags.yes),
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

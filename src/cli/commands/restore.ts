import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { withStopSignals } from '../signals.js';
import { commandAction } from '../context.js';

interface RestoreFlags {
  source: string;
  into?: string;
  table?: string;
  target?: string;
  key?: string;
  at?: string;
  before?: string;
  yes?: boolean;
}

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('restore one source from a set: into a new database first, checked, then swapped in (the old one is kept)')
    .argument('<set>', 'set id, or "latest"')
    .requiredOption('--source <name>', 'the source to restore')
    .option('--into <name>', 'restore into this new database (or folder, for files) instead of replacing the live one')
    .option('--table <table>', 'restore only this table; every other table is left untouched')
    .option('--target <name>', 'read the set from this target only')
    .option('--key <file>', 'private key for sets encrypted to public keys (or env DRC_PRIVATE_KEY_FILE; its passphrase in DRC_PRIVATE_KEY_PASSPHRASE)')
    .option('--at <time>', 'point in time: the newest dump before TIME plus the archived binlogs up to TIME (ISO-8601, "2026-12-02 17:59:30" local, or "5m" ago)')
    .option('--before <file:pos>', 'point in time: replay up to just before this binlog event (from drc binlog find)')
    .option('--yes', 'do not ask (required without a terminal)')
    .action(
      commandAction<RestoreFlags>(async (context, flags, args) => {
        const { config, stateDir } = await context.loadConfig();
        // Loaded on use, so other commands start without openpgp and the database drivers.
        const { runRestore } = await import('../../restore/run-restore.js');
        return withStopSignals(async (signal) => {
          const outcome = await runRestore({
            config,
            stateDir,
            set: args[0]!,
            source: flags.source,
            into: flags.into,
            table: flags.table,
            target: flags.target,
            keyFile: flags.key,
            pointInTime: { at: flags.at, before: flags.before },
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

import type { Command } from 'commander';
import { DrcError } from '../../errors.js';
import { parseDuration } from '../../util/duration.js';
import { withStopSignals } from '../signals.js';
import { commandAction } from '../context.js';

interface ArchiveFlags {
  source?: string[];
  once?: boolean;
  follow?: boolean;
  interval?: string;
}

export function registerArchive(program: Command): void {
  program
    .command('archive')
    .description('ship MySQL/MariaDB binary logs not yet archived to every target (cron: --once; service: --follow)')
    .option('--source <name...>', 'only these sources (repeatable)')
    .option('--once', 'one pass: flush, ship every closed binlog not yet archived, exit (the default)')
    .option('--follow', 'keep running: a pass every --interval, until stopped (systemd service)')
    .option('--interval <duration>', 'with --follow: how often to close and ship the current binlog', '30s')
    .action(
      commandAction<ArchiveFlags>(async (context, flags) => {
        if (flags.once && flags.follow) throw new DrcError('--once and --follow exclude each other', { hint: 'cron runs --once; a service runs --follow' });
        const intervalMs = parseDuration(flags.interval ?? '30s');
        if (!intervalMs || intervalMs < 1000) throw new DrcError(`--interval ${JSON.stringify(flags.interval)}: not a duration of at least 1s`, { hint: 'e.g. --interval 30s' });
        const { config, stateDir } = await context.loadConfig();
        const { runArchive } = await import('../../binlog/run-archive.js');
        return withStopSignals(async (signal) => {
          const outcome = await runArchive({
            config,
            stateDir,
            ...(flags.source ? { sources: flags.source } : {}),
            mode: flags.follow ? 'follow' : 'once',
            intervalMs,
            emit: context.emit,
            signal,
          });
          return outcome.exitCode;
        });
      }),
    );
}

import type { Command } from 'commander';
import { commandAction } from '../context.js';

interface FindFlags {
  source: string;
  grep: string;
  since?: string;
  key?: string;
}

export function registerBinlog(program: Command): void {
  const binlog = program.command('binlog').description('look into the archived MySQL/MariaDB binary logs');
  binlog
    .command('find')
    .description('archived events whose statement or table matches, with time and position (for restore --before FILE:POS)')
    .requiredOption('--source <name>', 'the MySQL/MariaDB source')
    .requiredOption('--grep <pattern>', 'case-insensitive regular expression, backticks ignored: "DROP TABLE calls", "DELETE FROM invoices"')
    .option('--since <time>', 'only events from this time on (ISO-8601, local wall clock, or "2h" ago)')
    .option('--key <file>', 'private key for archives encrypted to public keys (or env DRC_PRIVATE_KEY_FILE)')
    .action(
      commandAction<FindFlags>(async (context, flags) => {
        const { config } = await context.loadConfig();
        const { findBinlogEvents } = await import('../../binlog/find-events.js');
        const outcome = await findBinlogEvents({ config, source: flags.source, grep: flags.grep, since: flags.since, keyFile: flags.key, emit: context.emit });
        return outcome.exitCode;
      }),
    );
  binlog.commands.forEach((command) => command.exitOverride());
}

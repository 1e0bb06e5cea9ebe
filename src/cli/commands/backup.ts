import type { Command } from 'commander';
import { withStopSignals } from '../signals.js';
import { commandAction } from '../context.js';

interface BackupFlags {
  source?: string[];
  target?: string[];
  metrics?: string;
  baseBackup?: boolean;
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('take one backup set of the configured sources, to every target')
    .option('--source <name...>', 'only these sources (repeatable)')
    .option('--target <name...>', 'only these targets (repeatable)')
    .option('--base-backup', 'also take a PostgreSQL base backup of every pitr source now, whatever baseBackupEvery says')
    .option('--metrics <file>', 'also write Prometheus metrics (node_exporter textfile collector)')
    .action(
      commandAction<BackupFlags>(async (context, flags) => {
        const { config, stateDir } = await context.loadConfig();
        // Loaded on use: the pipeline pulls in openpgp and the database drivers.
        const { runBackupJob } = await import('../../backup/backup-job.js');
        return withStopSignals(async (signal) => {
          const outcome = await runBackupJob({
            config,
            stateDir,
            ...(flags.source ? { sources: flags.source } : {}),
            ...(flags.target ? { targets: flags.target } : {}),
            emit: context.emit,
            signal,
            ...(flags.metrics ? { metricsFile: flags.metrics } : {}),
            ...(flags.baseBackup ? { baseBackup: true } : {}),
        });
        return outcome.exitCode;
        });
      }),
    );
}

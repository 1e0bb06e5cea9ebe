import type { Command } from 'commander';
import { DrcError } from '../../errors.js';
import { withStopSignals } from '../signals.js';
import { commandAction } from '../context.js';

interface DrillFlags {
  source?: string;
  all?: boolean;
  target?: string;
  key?: string;
  allowUnsigned?: boolean;
}

export function registerDrill(program: Command): void {
  program
    .command('drill')
    .description('restore drill: newest set into a scratch database, checks, achieved RTO and RPO against the objectives')
    .option('--source <name>', 'only this database source')
    .option('--all', 'server-lost drill: every item of the newest offsite set into throwaway servers and a temp root; whole-server RTO and RPO')
    .option('--target <name>', 'with --all: read the set from this target (default: the offsite targets)')
    .option('--key <file>', 'private key for sets encrypted to public keys (or env DRC_PRIVATE_KEY_FILE)')
    .option('--allow-unsigned', 'accept a legacy set without a manifest seal (written before drc sealed sets), with a warning')
    .action(
      commandAction<DrillFlags>(async (context, flags) => {
        const { config, stateDir } = await context.loadConfig();
        if (flags.all) {
          if (flags.source) throw new DrcError('--all drills every source; --source one: use one of them');
          const { runServerDrill } = await import('../../drill/drill-server.js');
          return withStopSignals(async (signal) => (await runServerDrill({ config, stateDir, target: flags.target, keyFile: flags.key, emit: context.emit, signal })).exitCode);
        }
        // Loaded on use, so other commands start without openpgp and the database drivers.
        const { runDrill } = await import('../../drill/run-drill.js');
        return withStopSignals(async (signal) => {
          return (await runDrill({ config, stateDir, source: flags.source, keyFile: flags.key, allowUnsigned: Boolean(flags.allowUnsigned), emit: context.emit, signal })).exitCode;
        });
      }),
    );
}

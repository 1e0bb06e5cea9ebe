import type { Command } from 'commander';
import { withStopSignals } from '../signals.js';
import { commandAction } from '../context.js';

interface VerifyFlags {
  deep?: boolean;
  target?: string;
  key?: string;
  allowUnsigned?: boolean;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check a set against SHA256SUMS and its manifest on every target; --deep also decrypts and test-restores each item')
    .argument('[set]', 'set id, or "latest"', 'latest')
    .option('--deep', 'decrypt, decompress, restore databases into a scratch database and compare row counts, list archives')
    .option('--target <name>', 'only this target’s copy')
    .option('--key <file>', 'private key for sets encrypted to public keys (or env DRC_PRIVATE_KEY_FILE)')
    .option('--allow-unsigned', 'accept a legacy set without a manifest seal (written before drc sealed sets), with a warning')
    .action(
      commandAction<VerifyFlags>(async (context, flags, args) => {
        const { config, stateDir } = await context.loadConfig();
        // Loaded on use, so other commands start without openpgp and the database drivers.
        const { runVerify } = await import('../../verify/run-verify.js');
        return withStopSignals(async (signal) => {
          const outcome = await runVerify({
            config,
            stateDir,
            set: args[0] ?? 'latest',
            deep: Boolean(flags.deep),
            target: flags.target,
            keyFile: flags.key,
            allowUnsigned: Boolean(flags.allowUnsigned),
            emit: context.emit,
            signal,
        });
        return outcome.exitCode;
        });
      }),
    );
}

import type { Command } from 'commander';
import { EXIT } from '../../errors.js';
import { commandAction } from '../context.js';
import { withStopSignals } from '../signals.js';

interface WalFlags {
  source?: string;
  key?: string;
}

/**
 * PostgreSQL's archive_command and restore_command. Their exit codes are PostgreSQL's contract:
 * push exits 0 only when the file is stored on every target; fetch exits 1 when the file is not
 * archived (recovery ends there) and 2 when it is but cannot be read.
 */
export function registerWal(program: Command): void {
  const wal = program.command('wal').description('PostgreSQL WAL archive: archive_command (push) and restore_command (fetch)');
  wal
    .command('push')
    .description('archive_command = \'drc wal push %p\': one WAL file to every target; exit 0 only once all hold it')
    .argument('<path>', 'the file PostgreSQL hands over (%p)')
    .option('--source <name>', 'the pitr source this server is (default: the only one)')
    .action(
      commandAction<WalFlags>(async (context, flags, args) => {
        const { config } = await context.loadConfig();
        const { findWalSource, pushWalFile } = await import('../../pitr/postgres/wal-archive.js');
        const { openTargets } = await import('../../storage/open-targets.js');
        const source = findWalSource(config, flags.source);
        const targets = await openTargets(config);
        return withStopSignals(async (signal) => {
          const outcome = await pushWalFile({ config, source, targets, filePath: args[0]!, emit: context.emit, signal });
          context.emit({
            type: 'result',
            command: 'wal push',
            exitCode: EXIT.ok,
            summary: `wal push OK: ${outcome.name} ${outcome.status === 'skipped' ? 'was already archived' : 'archived'} on ${outcome.storedOn.join(', ')}`,
            data: { name: outcome.name, status: outcome.status, storedOn: outcome.storedOn },
          });
          return EXIT.ok;
        });
      }),
    );
  wal
    .command('fetch')
    .description('restore_command = \'drc wal fetch %f %p\': one archived WAL file to DEST; exit 1 when it is not archived')
    .argument('<name>', 'the WAL file PostgreSQL asks for (%f)')
    .argument('<dest>', 'where to write it (%p)')
    .option('--source <name>', 'the pitr source to read (default: the only one)')
    .option('--key <file>', 'private key when the archive is encrypted only to public keys (or env DRC_PRIVATE_KEY_FILE)')
    .action(
      commandAction<WalFlags>(async (context, flags, args) => {
        const { config } = await context.loadConfig();
        const { fetchWalFile, findWalSource } = await import('../../pitr/postgres/wal-archive.js');
        const { openTargets } = await import('../../storage/open-targets.js');
        const source = findWalSource(config, flags.source);
        const targets = await openTargets(config);
        return withStopSignals(async (signal) => {
          const found = await fetchWalFile({ config, source, targets, file: args[0]!, dest: args[1]!, keyFile: flags.key, signal });
          context.emit({
            type: 'result',
            command: 'wal fetch',
            exitCode: found ? EXIT.ok : EXIT.warning,
            summary: found ? `wal fetch OK: ${args[0]} → ${args[1]}` : `wal fetch: ${args[0]} is not archived`,
          });
          return found ? EXIT.ok : EXIT.warning;
        });
      }),
    );
}

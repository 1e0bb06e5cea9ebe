import type { Command } from 'commander';
import { EXIT } from '../../errors.js';
import { formatBytes } from '../../util/bytes.js';
import { formatDuration } from '../../util/duration.js';
import type { BackupListing } from '../../verify/list-backups.js';
import { commandAction } from '../context.js';
import { printFleet, type FleetFlags } from '../fleet-output.js';

interface BackupsFlags extends FleetFlags {
  target?: string;
}

export function registerBackups(program: Command): void {
  program
    .command('backups')
    .description('list backup sets on every target, newest first, with where they are stored and their last verification')
    .option('--target <name>', 'only this target')
    .option('--all-hosts', 'every host that backs up under the targets: newest set, age, size, last drill, health (Nagios exit code)')
    .option('--from <url>', 'with --all-hosts: look at s3://bucket/prefix or a folder instead of the configured targets (no config needed)')
    .option('--endpoint <url>', 'with --from: S3 endpoint')
    .option('--region <region>', 'with --from: S3 region')
    .option('--access-key-env <name>', 'with --from: env var holding the S3 access key id')
    .option('--secret-key-env <name>', 'with --from: env var holding the S3 secret access key')
    .action(
      commandAction<BackupsFlags>(async (context, flags) => {
        if (flags.allHosts) return printFleet(context, flags, 'backups');
        const { config, stateDir } = await context.loadConfig();
        // Loaded on use: opening targets brings the S3 client.
        const [{ openTargets }, { listBackups }, { loadSetTrust }] = await Promise.all([
          import('../../storage/open-targets.js'),
          import('../../verify/list-backups.js'),
          import('../../sets/sealed-manifest.js'),
        ]);
        const targets = await openTargets(config, flags.target ? [flags.target] : undefined);
        const { sets, unreachable } = await listBackups(targets, await loadSetTrust(config, stateDir), context.emit);
        // A set whose manifest is forged or stripped of its seal means someone wrote to the target.
        const refused = sets.filter((set) => set.trust === 'refused');
        for (const set of refused) {
          for (const problem of set.problems) context.emit({ type: 'log', level: 'error', message: `${set.id}: ${problem}` });
        }
        const exitCode = refused.length ? EXIT.critical : unreachable.length ? EXIT.warning : EXIT.ok;
        if (context.json) {
          for (const set of sets) process.stdout.write(JSON.stringify({ type: 'set', ...set }) + '\n');
        } else {
          process.stderr.write(sets.length ? sets.map((set) => describeSet(set, new Date())).join('\n') + '\n' : 'no backup sets stored\n');
        }
        context.emit({
          type: 'result',
          command: 'backups',
          exitCode,
          summary: `${sets.length} set(s) on ${targets.length - unreachable.length} of ${targets.length} target(s)${refused.length ? `; ${refused.length} REFUSED: manifest not authentic` : ''}`,
          data: { sets: sets.length, unreachable },
        });
        return exitCode;
      }),
    );
}

function describeSet(set: BackupListing, now: Date): string {
  const age = formatDuration(now.getTime() - new Date(set.time).getTime());
  const mark = set.trust === 'sealed' ? '' : set.trust === 'unsigned' ? '  UNSIGNED' : '  REFUSED (not authentic)';
  const head = `${set.id}  ${set.status.toUpperCase()}${mark}  ${age} ago  host ${set.host}  ${formatBytes(set.storedBytes)}  on ${set.targets.join(', ') || '—'}`;
  const items = set.items.map((item) => `${item.source} (${item.type}, ${formatBytes(item.storedBytes)})`).join(', ');
  const verify = set.lastVerify
    ? `last ${set.lastVerify.deep ? 'deep ' : ''}verify ${set.lastVerify.ok ? 'OK' : 'FAILED'} ${formatDuration(now.getTime() - new Date(set.lastVerify.at).getTime())} ago on ${set.lastVerify.target}`
    : 'never verified';
  return [head, `    items: ${items || '—'}`, `    ${verify}`, ...set.problems.map((problem) => `    problem: ${problem}`)].join('\n');
}

import type { Command } from 'commander';
import { EXIT } from '../../errors.js';
import type { PruneResult } from '../../retention/prune.js';
import { commandAction } from '../context.js';

interface PruneOptions {
  dryRun?: boolean;
  target?: string[];
}

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('apply the retention policy on every target: prints why each set is kept or dropped, then deletes')
    .option('--dry-run', 'print the plan, delete nothing')
    .option('--target <name...>', 'only these targets')
    .action(
      commandAction<PruneOptions>(async (context, options) => {
        const { config, stateDir } = await context.loadConfig();
        // Loaded on use: opening targets brings the S3 client.
        const [{ pruneTarget, requirePolicy, withPruneLock }, { openTargets }, { loadSetTrust }] = await Promise.all([
          import('../../retention/prune.js'),
          import('../../storage/open-targets.js'),
          import('../../sets/sealed-manifest.js'),
        ]);
        const policy = requirePolicy(config);
        const trust = await loadSetTrust(config, stateDir);
        const dryRun = Boolean(options.dryRun);
        const results: PruneResult[] = [];
        const targets = await openTargets(config, options.target);
        await withPruneLock(stateDir, dryRun, async () => {
          for (const target of targets) results.push(await pruneTarget(target, policy, { stateDir, trust, dryRun, emit: context.emit }));
        });
        const failed = results.reduce((sum, result) => sum + result.failed.length, 0);
        const removed = results.reduce((sum, result) => sum + result.removed.length, 0);
        const planned = results.reduce((sum, result) => sum + result.plan.drop.length, 0);
        const refused = results.reduce((sum, result) => sum + result.refused.length, 0);
        const refusedNote = refused ? `; REFUSED: ${refused} set(s) whose manifest is not authentic, their target(s) left unpruned` : '';
        const summary = dryRun
          ? `dry run: would remove ${planned} set(s) on ${results.length} target(s); nothing deleted${refusedNote}`
          : `removed ${removed} set(s) on ${results.length} target(s)${failed ? `, ${failed} could not be removed` : ''}${refusedNote}`;
        const exitCode = failed || refused ? EXIT.critical : EXIT.ok;
        context.emit({
          type: 'result',
          command: 'prune',
          exitCode,
          summary,
          data: {
            dryRun,
            targets: results.map((result) => ({
              target: result.target,
              keep: result.plan.keep,
              drop: result.plan.drop,
              removed: result.removed,
              failed: result.failed,
              decisions: result.plan.decisions.map((decision) => ({ ...decision, time: decision.time.toISOString() })),
            })),
          },
        });
        return exitCode;
      }),
    );
}

import type { Command } from 'commander';
import { redact } from '../../config/secrets.js';
import { EXIT } from '../../errors.js';
import { commandAction } from '../context.js';

/**
 * `drc sync`: keep a local mirror of the SaaS state (Cal.com, Retell) and rebuild it through
 * their APIs. pull → mirror; show → read the mirror while the service is down; push → plan,
 * and with --apply carry the plan out.
 */
export function registerSync(program: Command): void {
  const sync = program
    .command('sync')
    .description('mirror Cal.com / Retell state locally and rebuild it through their APIs');

  sync
    .command('pull')
    .argument('<source>', 'a calcom or retell source from the config')
    .description('fetch a snapshot of the service into the local mirror (stateDir/mirror/)')
    .action(
      commandAction(async (context, _options, [sourceName]) => {
        const { config, stateDir } = await context.loadConfig();
        // Loaded on use, like every engine: other commands start without the service clients.
        const { describeCounts, syncPull } = await import('../../services/actions.js');
        const result = await syncPull(config, stateDir, sourceName!, context.emit);
        context.emit({
          type: 'result',
          command: 'sync pull',
          exitCode: EXIT.ok,
          summary: `${sourceName}: mirror updated (${describeCounts(result.counts)}) in ${result.file}`,
          data: { ...result },
        });
        return EXIT.ok;
      }),
    );

  sync
    .command('show')
    .argument('<source>', 'a calcom or retell source from the config')
    .argument('<resource>', 'calcom: profile, schedules, event-types, webhooks, teams, ooo, team-event-types, bookings; retell: agents, llms, knowledge-bases, phone-numbers, conversation-flows, voices, calls')
    .option('--from <date>', 'bookings/calls starting at or after this date or time (e.g. 2026-12-03)')
    .option('--to <date>', 'bookings/calls starting before this date or time')
    .option('--csv', 'print CSV instead of a table (a call-back list for a spreadsheet)')
    .description('print one resource from the local mirror (works while the service is down)')
    .action(
      commandAction<{ from?: string; to?: string; csv?: boolean }>(async (context, options, [sourceName, resource]) => {
        const { config, stateDir } = await context.loadConfig();
        const [{ findServiceSource }, { loadMirror }, { formatCsv, formatTable, listResource }] = await Promise.all([
          import('../../services/actions.js'),
          import('../../services/mirror.js'),
          import('../../services/show.js'),
        ]);
        const source = findServiceSource(config, sourceName!);
        const snapshot = await loadMirror(stateDir, source.name, source.type);
        const listing = listResource(snapshot, resource!, { from: options.from, to: options.to });
        const summary = `${source.name} ${resource}: ${listing.rows.length} from the mirror taken ${snapshot.takenAt}`;
        if (context.json) {
          context.emit({ type: 'result', command: 'sync show', exitCode: EXIT.ok, summary, data: { takenAt: snapshot.takenAt, records: listing.records } });
        } else {
          // A read-only listing is the command's output: stdout, so it can be piped or grepped.
          process.stdout.write(redact(options.csv ? formatCsv(listing) : formatTable(listing)) + '\n');
          context.emit({ type: 'log', level: 'info', message: summary });
        }
        return EXIT.ok;
      }),
    );

  sync
    .command('push')
    .argument('<source>', 'a calcom or retell source from the config')
    .requiredOption('--from <origin>', '"mirror", or a backup set ("latest" or a set id)')
    .option('--apply', 'carry the plan out (without it, only print the plan)')
    .description('plan (and with --apply carry out) rebuilding the service from a snapshot')
    .action(
      commandAction<{ from: string; apply?: boolean }>(async (context, options, [sourceName]) => {
        const { config, stateDir } = await context.loadConfig();
        const [{ syncPush }, { pendingActions }] = await Promise.all([import('../../services/actions.js'), import('../../services/plan.js')]);
        const apply = Boolean(options.apply);
        const result = await syncPush(config, stateDir, sourceName!, options.from, apply, context.emit);
        const pending = pendingActions(result.plan).length;
        const summary = apply
          ? pending === 0
            ? `${sourceName}: already matches the snapshot of ${result.snapshotTakenAt}; nothing done`
            : `${sourceName}: ${result.applied.length} changes made from the snapshot of ${result.snapshotTakenAt}`
          : pending === 0
            ? `${sourceName}: already matches the snapshot of ${result.snapshotTakenAt}`
            : `${sourceName}: ${pending} changes planned; run again with --apply to make them`;
        context.emit({ type: 'result', command: 'sync push', exitCode: EXIT.ok, summary, data: { ...result } });
        return EXIT.ok;
      }),
    );
}

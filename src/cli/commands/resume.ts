import type { Command } from 'commander';
import { commandAction } from '../context.js';

interface ResumeFlags {
  yes?: boolean;
}

export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('continue an interrupted incident at its first unfinished step (finished steps never run again)')
    .argument('[incident]', 'incident id (default: the newest open one)')
    .option('--yes', 'confirm every checklist item: the person running drc vouches for them')
    .action(
      commandAction<ResumeFlags>(async (context, flags, args) => {
        const loaded = await context.loadConfig();
        // Loaded on use: the runner brings every action's engine (openpgp, database drivers).
        const [{ IncidentRunner }, { driveIncident }] = await Promise.all([import('../../incidents/runner.js'), import('../incident-driver.js')]);
        const runner = await IncidentRunner.resume({ stateDir: loaded.stateDir, config: loaded.config }, args[0]);
        const state = runner.state;
        const done = state.steps.filter((step) => step.status === 'done' || step.status === 'skipped').length;
        context.emit({
          type: 'log',
          level: 'info',
          message: `${done} of ${state.steps.length} steps already finished; they will not run again`,
        });
        return driveIncident(context, runner, Boolean(flags.yes), true);
      }),
    );
}

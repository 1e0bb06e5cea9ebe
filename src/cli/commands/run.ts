import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../../config/load.js';
import { DrcError, EXIT, type ExitCode } from '../../errors.js';
import { printRunnerEvents, runRemainingSteps } from '../../incidents/headless.js';
import { IncidentRunner } from '../../incidents/runner.js';
import { resolvePlaybook } from '../../playbooks/load.js';
import { parseVarFlags } from '../../playbooks/vars.js';
import { commandAction, type CommandContext } from '../context.js';

interface RunFlags {
  var?: string[];
  yes?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a playbook headless as a new incident (journal, timings, post-mortem)')
    .argument('<playbook>', 'a playbook id (see "drc playbooks") or a path to a markdown file')
    .option('--var <name=value>', 'set a playbook variable; repeatable (lost_at=ISO sets when the data was lost)', collect, [])
    .option('--yes', 'confirm every checklist item: the person running drc vouches for them')
    .action(
      commandAction<RunFlags>(async (context, flags, args) => {
        const loaded = context.loadConfig();
        const vars = parseVarFlags(flags.var);
        if ('error' in vars) throw new DrcError(vars.error, { hint: 'e.g. --var app_dir=/var/www/app' });
        const playbook = resolvePlaybook(args[0]!, { vars, config: loaded.config, configDir: configFolder(loaded) });
        const runner = IncidentRunner.start(playbook, { stateDir: loaded.stateDir, config: loaded.config });
        return driveIncident(context, runner, Boolean(flags.yes), false);
      }),
    );
}

/**
 * Runs the remaining steps headless. SIGHUP (the SSH session dropped), SIGTERM and SIGINT
 * stop the running step's command and record the interruption, so `drc resume` continues.
 */
export async function driveIncident(context: CommandContext, runner: IncidentRunner, yes: boolean, resumed: boolean): Promise<ExitCode> {
  const unsubscribe = runner.subscribe(printRunnerEvents(context.emit, runner.playbook.steps.length));
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    // After a hangup the terminal is gone; writing to it must not crash the recording.
    process.stderr.on('error', () => {});
    const why = signal === 'SIGHUP' ? 'the terminal or SSH session went away' : 'drc was asked to stop';
    void runner.stop(`${signal}: ${why}`);
  };
  process.on('SIGHUP', onSignal).on('SIGTERM', onSignal).on('SIGINT', onSignal);
  try {
    runner.announce(resumed);
    const exitCode = await runRemainingSteps(runner, { yes });
    const state = runner.state;
    const next = state.nextStep === undefined ? undefined : state.steps[state.nextStep];
    context.emit({
      type: 'result',
      command: resumed ? 'resume' : 'run',
      exitCode: stoppedBy ? EXIT.critical : exitCode,
      summary:
        state.status === 'resolved'
          ? `incident ${runner.id} resolved; write the report with "drc postmortem ${runner.id}"`
          : `incident ${runner.id} is open at step ${(next?.index ?? 0) + 1} "${next?.title}"; continue with "drc resume ${runner.id}"${next?.status === 'failed' ? ' once fixed' : ''}`,
      data: { incident: runner.id, status: state.status, dir: runner.dir, ...(next ? { step: next.index + 1, stepStatus: next.status } : {}) },
    });
    return stoppedBy ? EXIT.critical : exitCode;
  } finally {
    process.off('SIGHUP', onSignal).off('SIGTERM', onSignal).off('SIGINT', onSignal);
    unsubscribe();
    runner.close();
  }
}

/** Relative entries of config.playbooks are relative to the config file. */
export function configFolder(loaded: LoadedConfig): string {
  return path.isAbsolute(loaded.origin) ? path.dirname(loaded.origin) : process.cwd();
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

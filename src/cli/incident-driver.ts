import { EXIT, type ExitCode } from '../errors.js';
import { printRunnerEvents, runRemainingSteps } from '../incidents/headless.js';
import type { IncidentRunner } from '../incidents/runner.js';
import type { CommandContext } from './context.js';

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

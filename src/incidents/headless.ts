import { EXIT, type ExitCode } from '../errors.js';
import type { Emit } from '../events.js';
import { formatDuration } from '../util/duration.js';
import type { RunnerEvent } from './events.js';
import type { IncidentRunner } from './runner.js';

/**
 * `drc run` / `drc resume` without a person at the keyboard: every step in order, manual
 * confirmations ticked only with --yes, never reading stdin. Stops at the first step that
 * does not finish (failed or interrupted), leaving the incident open for `drc resume`.
 * Exit 0 when resolved, 1 when resolved with skipped steps, 2 when stopped.
 */
export async function runRemainingSteps(runner: IncidentRunner, options: { yes: boolean }): Promise<ExitCode> {
  while (runner.state.status === 'open' && runner.state.nextStep !== undefined) {
    const step = await runner.runStep(runner.state.nextStep, options.yes ? 'all' : 'fail');
    if (step.status !== 'done') return EXIT.critical;
  }
  if (runner.state.status !== 'resolved') return EXIT.critical;
  return runner.state.steps.some((step) => step.status === 'skipped') ? EXIT.warning : EXIT.ok;
}

/** Turns runner events into the headless printer's lines (and --json objects). */
export function printRunnerEvents(emit: Emit, total: number): (event: RunnerEvent) => void {
  const info = (message: string) => emit({ type: 'log', level: 'info', message });
  const label = (step: number) => `step ${step + 1}/${total}`;
  // A checklist is printed whole once, then only the items as they get ticked.
  const tickedShown = new Map<number, Set<number>>();
  return (event) => {
    switch (event.type) {
      case 'incident-started':
        info(`incident ${event.id}: ${event.title}${event.resumed ? ' (resumed)' : ''}\n  journal: ${event.dir}/journal.jsonl`);
        break;
      case 'step-started':
        info(`▶ ${label(event.step)}: ${event.title}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`);
        break;
      case 'step-output':
        info(`  │ ${event.line}`);
        break;
      case 'step-progress':
        emit({ type: 'task-progress', task: `${label(event.step)} ${event.task}`, phase: 'step', bytes: event.bytes, elapsedMs: event.elapsedMs, ...(event.totalBytes ? { totalBytes: event.totalBytes } : {}) });
        break;
      case 'checklist': {
        const shown = tickedShown.get(event.step);
        event.items.forEach((item, index) => {
          if (!shown) info(`  [${item.ticked ? 'x' : ' '}] ${item.text}`);
          else if (item.ticked && !shown.has(index)) info(`  [x] ${item.text}`);
        });
        tickedShown.set(event.step, new Set(event.items.flatMap((item, index) => (item.ticked ? [index] : []))));
        break;
      }
      case 'step-finished':
        info(`✓ ${label(event.step)}: ${event.title} (${formatDuration(event.machineMs)} running, ${formatDuration(event.waitingMs)} waiting)${event.detail ? `: ${event.detail}` : ''}`);
        break;
      case 'step-failed':
        emit({ type: 'log', level: 'error', message: `✗ ${label(event.step)} "${event.title}" failed: ${event.error}${event.outputFile ? ` (full output: ${event.outputFile})` : ''}`, ...(event.hint ? { hint: event.hint } : {}) });
        break;
      case 'step-skipped':
        emit({ type: 'log', level: 'warn', message: `↷ ${label(event.step)} "${event.title}" skipped: ${event.reason}` });
        break;
      case 'step-interrupted':
        emit({ type: 'log', level: 'warn', message: `⏸ ${label(event.step)} "${event.title}" interrupted: ${event.reason}` });
        break;
      case 'note':
        info(`note (${event.kind}): ${event.text}`);
        break;
      case 'incident-finished':
        info(`incident ${event.id} ${event.status}${event.reason ? `: ${event.reason}` : ''}`);
        break;
    }
  };
}

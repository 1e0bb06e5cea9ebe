import type { RunnerSetup } from './runner.js';
import { DrcError, errorMessage } from '../errors.js';
import type { DrcEvent } from '../events.js';
import { executeRun } from '../playbooks/actions/index.js';
import type { Playbook } from '../playbooks/types.js';
import { formatDuration } from '../util/duration.js';
import type { RunnerEvent } from './events.js';
import type { JournalEntry } from './journal-schema.js';
import { StepOutput } from './step-output.js';

export interface StepActionContext {
  incidentId: string;
  dir: string;
  playbook: Playbook;
  setup: RunnerSetup;
  index: number;
  /** Attempts before this one, for the output file's name. */
  attempt: number;
  controller: AbortController;
  /** Journal first (fsynced), then state: the runner's own record(). */
  record(entry: JournalEntry): void;
  publish(event: RunnerEvent): void;
}

/**
 * Runs one step's block (shell command or drc action): output to the step's file and a tail
 * to the journal, then exactly one outcome event: action-finished, step-failed or
 * step-interrupted. Returns whether it passed and how long the machine worked.
 */
export async function runStepAction(context: StepActionContext): Promise<{ passed: boolean; machineMs: number }> {
  const { index, controller, record, publish } = context;
  const definition = context.playbook.steps[index]!;
  const run = definition.run!;
  const output = new StepOutput(context.dir, index, definition.title, context.attempt);
  const started = Date.now();
  const timeout = run.kind === 'action' && run.timeoutMs ? AbortSignal.timeout(run.timeoutMs) : undefined;
  const signal = timeout ? AbortSignal.any([controller.signal, timeout]) : controller.signal;
  const line = (text: string) => publish({ type: 'step-output', step: index, line: output.write(text) });
  let outcome: { detail?: string; restored?: { source: string; setId: string; setTime: string } } | undefined;
  let failure: unknown;
  try {
    outcome = await executeRun(run, {
      config: context.setup.config,
      stateDir: context.setup.stateDir,
      vars: context.playbook.vars,
      env: { ...namedEnv([...context.playbook.envVars, ...(run.kind === 'shell' ? shellReferences(run.script) : [])]), DRC_INCIDENT_ID: context.incidentId, DRC_STEP: String(index + 1) },
      signal,
      line,
      emit: (event) => forwardEngineEvent(index, event, line, publish),
      onProcess: (pid) => record({ type: 'process-started', step: index, pid }),
    });
  } catch (error) {
    failure = error;
  }
  output.close();
  const machineMs = Date.now() - started;
  if (output.bytes) record({ type: 'step-output', step: index, file: output.file, bytes: output.bytes, tail: output.tailText() });
  const title = definition.title;
  if (controller.signal.aborted) {
    const reason = errorMessage(controller.signal.reason);
    record({ type: 'step-interrupted', step: index, reason });
    publish({ type: 'step-interrupted', step: index, title, reason });
    return { passed: false, machineMs };
  }
  if (failure !== undefined || !outcome) {
    const error = timeout?.aborted ? `timed out after ${formatDuration(run.kind === 'action' ? (run.timeoutMs ?? 0) : 0)} (the drc block's timeout:)` : errorMessage(failure);
    const hint = failure instanceof DrcError ? failure.hint : undefined;
    record({ type: 'step-failed', step: index, error, ...(hint ? { hint } : {}), machineMs, waitingMs: 0 });
    publish({ type: 'step-failed', step: index, title, error, ...(hint ? { hint } : {}), ...(output.bytes ? { outputFile: output.file } : {}) });
    return { passed: false, machineMs };
  }
  record({
    type: 'action-finished',
    step: index,
    machineMs,
    ...(outcome.detail ? { detail: outcome.detail } : {}),
    ...(outcome.restored ? { restored: outcome.restored } : {}),
  });
  return { passed: true, machineMs };
}

/** Backup/restore/verify report through engine events; a step shows them as its output. */
function forwardEngineEvent(step: number, event: DrcEvent, line: (text: string) => void, publish: (event: RunnerEvent) => void): void {
  if (event.type === 'task-progress') {
    publish({ type: 'step-progress', step, task: event.task, bytes: event.bytes, elapsedMs: event.elapsedMs, ...(event.totalBytes ? { totalBytes: event.totalBytes } : {}) });
  } else if (event.type === 'log') line(`${event.level === 'info' ? '' : `${event.level}: `}${event.message}`);
  else if (event.type === 'task-started') line(`${event.task}: ${event.phase}${event.detail ? ` ${event.detail}` : ''}…`);
  else if (event.type === 'task-finished') line(`${event.task}: ${event.phase} ${event.ok ? 'done' : 'FAILED'}${event.detail ? ` (${event.detail})` : ''}`);
  else line(event.summary);
}

/**
 * Env vars a shell step names itself (`$NAP`, `${NAP:-0}`): the script asks for them by name, so
 * it gets them from drc's environment; nothing else of that environment reaches it.
 */
export function shellReferences(script: string): string[] {
  return [...new Set([...script.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!))];
}

/** The env vars a playbook names (`${DB_HOST}` resolved from the environment): a shell step may see those. */
function namedEnv(names: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

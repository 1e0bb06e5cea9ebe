import { useCallback, useEffect, useReducer, useRef } from 'react';
import { redact } from '../../src/config/secrets.js';
import { errorMessage } from '../../src/errors.js';
import type { DrcEvent, Emit } from '../../src/events.js';
import type { Progress } from '../components/progress-bar.js';

/** Asks the person a yes/no question (the engine's own confirmation, e.g. a restore plan). */
export type Ask = (question: string, details: string[]) => Promise<boolean>;

/** A headless engine call (backup, verify, restore, drill) the console runs and watches. */
export type TaskRun = (emit: Emit, signal: AbortSignal, ask: Ask) => Promise<{ exitCode: number; summary?: string }>;

export interface TaskState {
  status: 'running' | 'stopping' | 'done' | 'failed' | 'stopped';
  lines: string[];
  progress: Progress | undefined;
  summary: string | undefined;
  exitCode: number | undefined;
}

type TaskAction = { type: 'event'; event: DrcEvent } | { type: 'stopping' } | { type: 'ended'; exitCode: number; summary?: string | undefined; stopped: boolean };

const MAX_LINES = 200;

/** The task's state as a reducer over the engine's events (what the headless printer prints). */
export function reduceTask(state: TaskState, action: TaskAction): TaskState {
  switch (action.type) {
    case 'stopping':
      return state.status === 'running' ? { ...state, status: 'stopping' } : state;
    case 'ended': {
      const status = action.stopped ? 'stopped' : action.exitCode === 2 ? 'failed' : 'done';
      return { ...state, status, exitCode: action.exitCode, summary: action.summary ?? state.summary, progress: undefined };
    }
    case 'event': {
      const { event } = action;
      const line = describeEvent(event);
      const lines = line ? [...state.lines, redact(line)].slice(-MAX_LINES) : state.lines;
      if (event.type === 'task-progress') {
        return { ...state, progress: { task: event.task, bytes: event.bytes, totalBytes: event.totalBytes, elapsedMs: event.elapsedMs } };
      }
      if (event.type === 'task-finished') return { ...state, lines, progress: undefined };
      if (event.type === 'result') return { ...state, lines, summary: event.summary };
      return { ...state, lines };
    }
  }
}

function describeEvent(event: DrcEvent): string | undefined {
  switch (event.type) {
    case 'log':
      return `${event.level === 'error' ? 'error: ' : event.level === 'warn' ? 'warning: ' : ''}${event.message}${event.hint ? ` → ${event.hint}` : ''}`;
    case 'task-started':
      return `${event.task}: ${event.phase}${event.detail ? ` ${event.detail}` : ''}…`;
    case 'task-finished':
      return `${event.task}: ${event.ok ? 'done' : 'FAILED'}${event.detail ? ` (${event.detail})` : ''}`;
    default:
      return undefined;
  }
}

/** Runs `run` once, with a stop() that aborts it; the state follows its events. */
export function useTask(run: TaskRun, ask: Ask): { state: TaskState; stop: () => Promise<void> } {
  const [state, dispatch] = useReducer(reduceTask, { status: 'running', lines: [], progress: undefined, summary: undefined, exitCode: undefined });
  const controller = useRef(new AbortController());
  const finished = useRef<Promise<void>>(Promise.resolve());
  useEffect(() => {
    const { signal } = controller.current;
    finished.current = run((event) => dispatch({ type: 'event', event }), signal, ask).then(
      (result) => dispatch({ type: 'ended', exitCode: result.exitCode, summary: result.summary, stopped: signal.aborted }),
      (error: unknown) => dispatch({ type: 'ended', exitCode: 2, summary: redact(errorMessage(error)), stopped: signal.aborted }),
    );
    // The task runs once for the life of the screen.
  }, []);
  const stop = useCallback(async () => {
    dispatch({ type: 'stopping' });
    controller.current.abort(new Error('stopped by the operator'));
    await finished.current;
  }, []);
  return { state, stop };
}

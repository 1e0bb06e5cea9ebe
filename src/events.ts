/**
 * The engine's event stream. Every long-running operation (backup, restore, verify, drill,
 * playbook step) reports through these events; the headless printer, the --json printer and
 * the TUI are interchangeable consumers of the same stream.
 */
export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEvent {
  type: 'log';
  level: LogLevel;
  message: string;
  hint?: string;
}

/** A unit of work with its own progress: one backup item, one restore, one upload. */
export interface TaskStartedEvent {
  type: 'task-started';
  task: string;
  /** What kind of work: "dump", "upload", "restore", "verify", … */
  phase: string;
  detail?: string;
  totalBytes?: number;
}

export interface TaskProgressEvent {
  type: 'task-progress';
  task: string;
  phase: string;
  /** Bytes read from the source so far. */
  bytes: number;
  /** Known only where the size is known in advance (restores, uploads of finished files). */
  totalBytes?: number;
  elapsedMs: number;
}

export interface TaskFinishedEvent {
  type: 'task-finished';
  task: string;
  phase: string;
  ok: boolean;
  detail?: string;
  elapsedMs: number;
  bytes?: number;
}

/** The final outcome of a command, the one object scripts read from --json. */
export interface ResultEvent {
  type: 'result';
  command: string;
  exitCode: number;
  summary: string;
  data?: Record<string, unknown>;
}

export type DrcEvent = LogEvent | TaskStartedEvent | TaskProgressEvent | TaskFinishedEvent | ResultEvent;

export type Emit = (event: DrcEvent) => void;

/** For engine code called without a listener (tests, library use). */
export const ignoreEvents: Emit = () => {};

/** Emits task-progress at most every `intervalMs`, so a fast stream does not flood the printers. */
export function throttledProgress(emit: Emit, task: string, phase: string, intervalMs = 250, totalBytes?: number) {
  const started = Date.now();
  let last = 0;
  return (bytes: number, force = false) => {
    const now = Date.now();
    if (!force && now - last < intervalMs) return;
    last = now;
    emit({ type: 'task-progress', task, phase, bytes, elapsedMs: now - started, ...(totalBytes ? { totalBytes } : {}) });
  };
}

import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type { LoadedConfig } from '../../src/config/load.js';
import { redact } from '../../src/config/secrets.js';
import { errorMessage } from '../../src/errors.js';
import type { RunnerEvent } from '../../src/incidents/events.js';
import type { NoteKind } from '../../src/incidents/journal-schema.js';
import type { IncidentState } from '../../src/incidents/reducer.js';
import { IncidentRunner } from '../../src/incidents/runner.js';
import type { Playbook } from '../../src/playbooks/types.js';
import type { Progress } from '../components/progress-bar.js';

export type IncidentStart = { kind: 'new'; playbook: Playbook; lostAt?: string } | { kind: 'resume'; id: string };

/** What the screen shows beyond the journal's state: live output and progress, the last refusal. */
export interface LiveView {
  incident: IncidentState | undefined;
  playbook: Playbook | undefined;
  /** The incident's folder (journal, output/, postmortem.md). */
  dir: string | undefined;
  /** Output lines per step since the console opened (bounded; the full output is in the journal's files). */
  output: Record<number, string[]>;
  progress: Record<number, Progress | undefined>;
  running: number | undefined;
  /** The engine refused something (a DrcError) or could not open the incident. */
  problem: string | undefined;
  fatal: boolean;
}

type LiveAction =
  | { type: 'runner-event'; event: RunnerEvent; incident: IncidentState; running: number | undefined }
  | { type: 'state'; incident: IncidentState; running: number | undefined; playbook?: Playbook; dir?: string }
  | { type: 'problem'; message: string | undefined; fatal?: boolean };

const KEPT_LINES = 100;

/** Pure: the live view over runner events, so the screen's tests need no timing tricks. */
export function reduceLive(view: LiveView, action: LiveAction): LiveView {
  switch (action.type) {
    case 'problem':
      return { ...view, problem: action.message, fatal: action.fatal ?? false };
    case 'state':
      return { ...view, incident: action.incident, running: action.running, playbook: action.playbook ?? view.playbook, dir: action.dir ?? view.dir };
    case 'runner-event': {
      const { event } = action;
      const next: LiveView = { ...view, incident: action.incident, running: action.running };
      if (event.type === 'step-output') {
        next.output = { ...view.output, [event.step]: [...(view.output[event.step] ?? []), event.line].slice(-KEPT_LINES) };
      } else if (event.type === 'step-progress') {
        next.progress = { ...view.progress, [event.step]: { task: event.task, bytes: event.bytes, totalBytes: event.totalBytes, elapsedMs: event.elapsedMs } };
      } else if (event.type === 'step-started') {
        next.progress = { ...view.progress, [event.step]: undefined };
        next.problem = undefined;
      } else if (event.type === 'step-finished' || event.type === 'step-failed' || event.type === 'step-interrupted') {
        next.progress = { ...view.progress, [event.step]: undefined };
      }
      return next;
    }
  }
}

export interface IncidentControls {
  run(step: number): void;
  tick(step: number, item: number): void;
  acknowledge(step: number): void;
  skip(step: number, reason: string): void;
  note(text: string, kind?: NoteKind): void;
  /** Stops the running step; the journal records it as interrupted. */
  stop(reason: string): Promise<void>;
  abort(reason: string): Promise<void>;
}

/**
 * Opens (or resumes) one incident with the engine's IncidentRunner and follows its events.
 * Every key press becomes one runner call; what the engine refuses is shown, never thrown.
 */
export function useIncident(loaded: LoadedConfig, start: IncidentStart): { view: LiveView; controls: IncidentControls } {
  const [view, dispatch] = useReducer(reduceLive, { incident: undefined, playbook: undefined, dir: undefined, output: {}, progress: {}, running: undefined, problem: undefined, fatal: false });
  const runnerRef = useRef<IncidentRunner>(undefined);
  useEffect(() => {
    let closed = false;
    let unsubscribe = () => {};
    const setup = { stateDir: loaded.stateDir, config: loaded.config };
    const open = async () => (start.kind === 'new' ? IncidentRunner.start(start.playbook, setup, start.lostAt ? { lostAt: start.lostAt } : {}) : IncidentRunner.resume(setup, start.id));
    open().then(
      (runner) => {
        if (closed) return runner.close();
        runnerRef.current = runner;
        unsubscribe = runner.subscribe((event) => dispatch({ type: 'runner-event', event, incident: runner.state, running: runner.runningStep }));
        dispatch({ type: 'state', incident: runner.state, running: runner.runningStep, playbook: runner.playbook, dir: runner.dir });
        runner.announce(start.kind === 'resume');
      },
      (error: unknown) => dispatch({ type: 'problem', message: redact(errorMessage(error)), fatal: true }),
    );
    return () => {
      closed = true;
      unsubscribe();
      const runner = runnerRef.current;
      runnerRef.current = undefined;
      if (runner) void runner.stop('the console closed').finally(() => runner.close());
    };
    // One incident for the life of the screen.
  }, []);

  const attempt = useCallback((work: (runner: IncidentRunner) => unknown) => {
    const runner = runnerRef.current;
    if (!runner) return;
    const refresh = () => dispatch({ type: 'state', incident: runner.state, running: runner.runningStep });
    try {
      const result = work(runner);
      refresh();
      if (result instanceof Promise) {
        result.then(refresh, (error: unknown) => {
          refresh();
          dispatch({ type: 'problem', message: redact(errorMessage(error)) });
        });
      }
    } catch (error) {
      dispatch({ type: 'problem', message: redact(errorMessage(error)) });
    }
  }, []);

  const controls = useMemo<IncidentControls>(() => ({
    run: (step) => attempt((runner) => runner.runStep(step, 'ask')),
    tick: (step, item) => attempt((runner) => runner.tick(step, item)),
    acknowledge: (step) => attempt((runner) => runner.acknowledge(step)),
    skip: (step, reason) => attempt((runner) => runner.skip(step, reason)),
    note: (text, kind) => attempt((runner) => runner.note(text, kind)),
    stop: async (reason) => {
      await runnerRef.current?.stop(reason);
    },
    abort: async (reason) => {
      await runnerRef.current?.abort(reason);
    },
  }), [attempt]);
  return { view, controls };
}

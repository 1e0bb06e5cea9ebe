import type { Config } from '../config/schema.js';
import { DrcError } from '../errors.js';
import { loadPlaybookFile } from '../playbooks/load.js';
import { stepKind, type Playbook } from '../playbooks/types.js';
import { DRC_VERSION } from '../version.js';
import type { RunnerEvent, RunnerListener } from './events.js';
import { findIncident, makeIncidentId } from './incident-store.js';
import { Journal, readJournal } from './journal.js';
import type { JournalEntry, NoteKind } from './journal-schema.js';
import { stopLeftoverCommand } from './leftovers.js';
import { parseNote } from './notes.js';
import { applyEvent, reduceIncident, startIncident, type IncidentState, type StepState } from './reducer.js';
import { assertSameSteps, normalizeTime, whoAndWhere } from './runner-support.js';
import { runStepAction } from './step-action.js';

/**
 * How a step's confirmations are handled: "all" ticks them (--yes: the person running drc
 * vouches for them), "fail" fails the step (headless without --yes), "ask" leaves the step
 * waiting for tick() / acknowledge() calls (the TUI).
 */
export type ConfirmMode = 'all' | 'fail' | 'ask';

export interface RunnerSetup {
  stateDir: string;
  config?: Config;
}

/**
 * One incident: runs a playbook's steps one at a time, writes every change to the journal
 * before anything proceeds, and derives its state from those journal events with the same
 * reducer a resume uses. Drivable step by step (the TUI) or in a loop (drc run).
 */
export class IncidentRunner {
  private current: IncidentState;
  private readonly listeners = new Set<RunnerListener>();
  private running: { step: number; controller: AbortController; done: Promise<unknown> } | undefined;
  /** Machine time of each step's current attempt, to split its elapsed time from waiting time. */
  private readonly attemptMachineMs = new Map<number, number>();

  private constructor(
    readonly playbook: Playbook,
    private readonly journal: Journal,
    state: IncidentState,
    private readonly setup: RunnerSetup,
  ) {
    this.current = state;
  }

  /** Opens a new incident for `playbook`; `lostAt` (ISO) is when the data was lost, if known. */
  static start(playbook: Playbook, setup: RunnerSetup, options: { lostAt?: string; now?: Date } = {}): IncidentRunner {
    const now = options.now ?? new Date();
    const lostAt = normalizeTime(options.lostAt ?? playbook.vars.lost_at, 'lost_at');
    const journal = Journal.create(setup.stateDir, makeIncidentId(playbook.id, now));
    const event = journal.append(
      {
        type: 'incident-started',
        id: journal.id,
        playbook: {
          id: playbook.id,
          title: playbook.title,
          file: playbook.file,
          severity: playbook.severity,
          objectives: playbook.objectives,
          ...(playbook.recoveredStep !== undefined ? { recoveredStep: playbook.recoveredStep } : {}),
        },
        steps: playbook.steps.map((step) => ({
          title: step.title,
          kind: stepKind(step),
          line: step.line,
          ...(step.run?.kind === 'action' ? { action: step.run.action.action } : {}),
        })),
        vars: playbook.vars,
        envVars: playbook.envVars,
        ...(lostAt ? { lostAt } : {}),
        ...whoAndWhere(),
        drcVersion: DRC_VERSION,
      },
      now,
    );
    if (event.type !== 'incident-started') throw new Error('unreachable');
    return new IncidentRunner(playbook, journal, startIncident(event), setup);
  }

  /**
   * Reopens an incident from its journal (the newest open one without `id`): reloads its
   * playbook with the vars it started with, stops a command a killed drc left running, and
   * records the interrupted step. The caller then continues at state.nextStep.
   */
  static async resume(setup: RunnerSetup, id?: string): Promise<IncidentRunner> {
    const found = findIncident(setup.stateDir, id);
    const state = reduceIncident(readJournal(found.dir));
    if (state.status !== 'open') {
      throw new DrcError(`incident ${found.id} is already ${state.status} (${state.finishedAt})`, {
        hint: `write its report with "drc postmortem ${found.id}"`,
      });
    }
    const playbook = loadPlaybookFile(state.start.playbook.file, { vars: state.start.vars, ...(setup.config ? { config: setup.config } : {}) });
    assertSameSteps(playbook, state);
    const runner = new IncidentRunner(playbook, Journal.open(found.dir), state, setup);
    runner.record({ type: 'incident-resumed', ...whoAndWhere() });
    for (const step of state.steps.filter((entry) => entry.status === 'running')) {
      const stopped = step.pid !== undefined && (await stopLeftoverCommand(step.pid, state.id));
      const reason =
        'drc stopped while this step ran (killed, crashed, or the session dropped)' +
        (stopped ? `; its command (process group ${step.pid}) was still running and has been stopped` : '');
      runner.record({ type: 'step-interrupted', step: step.index, reason });
      runner.publish({ type: 'step-interrupted', step: step.index, title: step.title, reason });
    }
    return runner;
  }

  get id(): string {
    return this.current.id;
  }

  get dir(): string {
    return this.journal.dir;
  }

  get state(): IncidentState {
    return this.current;
  }

  /** The step running now, if any. */
  get runningStep(): number | undefined {
    return this.running?.step;
  }

  subscribe(listener: RunnerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Announces the incident to listeners (after they subscribed). */
  announce(resumed: boolean): void {
    this.publish({ type: 'incident-started', id: this.id, title: this.playbook.title, resumed, dir: this.dir });
  }

  /**
   * Runs a step (default: the next unfinished one): its command or action unless that
   * already passed, then its confirmations per `confirm`. Resolves with the step's state;
   * a failed step leaves the incident open for retry (run it again), skip or abort.
   */
  async runStep(index = this.current.nextStep, confirm: ConfirmMode = 'ask'): Promise<StepState> {
    const step = this.checkRunnable(index);
    const definition = this.playbook.steps[step.index]!;
    this.record({ type: 'step-started', step: step.index, attempt: step.attempts + 1 });
    this.publish({ type: 'step-started', step: step.index, title: step.title, attempt: step.attempts + 1 });
    this.attemptMachineMs.set(step.index, 0);
    if (definition.run && !step.actionDone) {
      const controller = new AbortController();
      const done = this.runAction(step.index, controller);
      this.running = { step: step.index, controller, done };
      try {
        if (!(await done)) return this.stepState(step.index);
      } finally {
        this.running = undefined;
      }
    }
    const unticked = this.untickedItems(step.index);
    if (unticked.length && confirm === 'all') {
      for (const item of unticked) this.tick(step.index, item, '--yes');
      return this.stepState(step.index);
    }
    if (unticked.length && confirm === 'fail') {
      const error = `needs a person to confirm ${unticked.length} item(s): ${unticked.map((i) => `"${definition.checklist[i]!.text}"`).join(', ')}`;
      const hint = `confirm them, then continue with "drc resume ${this.id} --yes", or run the incident in the TUI`;
      this.record({ type: 'step-failed', step: step.index, error, hint, machineMs: 0, waitingMs: 0 });
      this.publish({ type: 'step-failed', step: step.index, title: step.title, error, hint });
      return this.stepState(step.index);
    }
    if (unticked.length) {
      this.publishChecklist(step.index);
      return this.stepState(step.index);
    }
    if (definition.checklist.length === 0 && !definition.run && confirm === 'ask') return this.stepState(step.index);
    this.finishStep(step.index);
    return this.stepState(step.index);
  }

  /** A person confirmed checklist item `item` of a waiting step; the last one finishes the step. */
  tick(index: number, item: number, by = whoAndWhere().user): void {
    const step = this.stepState(index);
    const text = this.playbook.steps[index]?.checklist[item]?.text;
    if (step.status !== 'waiting' || text === undefined) {
      throw new DrcError(`step ${index + 1} has no open confirmation ${item + 1}`, { hint: 'run the step first' });
    }
    this.record({ type: 'checklist-ticked', step: index, item, text, by });
    this.publishChecklist(index);
    if (!this.untickedItems(index).length) this.finishStep(index);
  }

  /** A person has read a read-only step (TUI): it counts as done, its time as waiting time. */
  acknowledge(index: number): void {
    const step = this.stepState(index);
    const definition = this.playbook.steps[index];
    if (step.status !== 'waiting' || definition?.run || definition?.checklist.length) {
      throw new DrcError(`step ${index + 1} is not a read-only step waiting to be acknowledged`);
    }
    this.finishStep(index);
  }

  skip(index: number, reason: string): void {
    const step = this.stepState(index);
    if (!reason.trim()) throw new DrcError('skipping a step needs a reason', { hint: 'say why; it goes into the post-mortem' });
    if (this.running?.step === index) throw new DrcError(`step ${index + 1} is running; stop it first`);
    if (step.status === 'done' || step.status === 'skipped') throw new DrcError(`step ${index + 1} is already ${step.status}`);
    this.record({ type: 'step-skipped', step: index, reason });
    this.publish({ type: 'step-skipped', step: index, title: step.title, reason });
    this.finishIfComplete();
  }

  /** A note for the post-mortem; "impact: …", "root cause: …", "lost at: ISO" and similar set its kind. */
  note(text: string, kind?: NoteKind): void {
    const parsed = parseNote(text, kind);
    const step = this.running?.step ?? this.current.nextStep;
    this.record({ type: 'note', ...parsed, ...(step !== undefined ? { step } : {}) });
    this.publish({ type: 'note', text: parsed.text, kind: parsed.kind });
  }

  /** Stops the running step (its command gets SIGTERM, then SIGKILL); the incident stays open. */
  async stop(reason: string): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.controller.abort(new Error(reason));
    await running.done;
  }

  /** Ends the incident without resolving it. */
  async abort(reason: string): Promise<void> {
    await this.stop(reason);
    if (this.current.status !== 'open') return;
    this.record({ type: 'incident-finished', status: 'aborted', reason });
    this.publish({ type: 'incident-finished', id: this.id, status: 'aborted', reason });
  }

  close(): void {
    this.journal.close();
  }

  /** Runs the step's block; true when it passed. */
  private async runAction(index: number, controller: AbortController): Promise<boolean> {
    const { passed, machineMs } = await runStepAction({
      incidentId: this.id,
      dir: this.dir,
      playbook: this.playbook,
      setup: this.setup,
      index,
      attempt: this.stepState(index).attempts,
      controller,
      record: (entry) => this.record(entry),
      publish: (event) => this.publish(event),
    });
    this.attemptMachineMs.set(index, machineMs);
    return passed;
  }

  private finishStep(index: number): void {
    const step = this.stepState(index);
    const elapsed = Date.now() - Date.parse(step.startedAt ?? new Date().toISOString());
    const waitingMs = Math.max(0, elapsed - (this.attemptMachineMs.get(index) ?? 0));
    this.record({ type: 'step-finished', step: index, waitingMs });
    const done = this.stepState(index);
    this.publish({ type: 'step-finished', step: index, title: done.title, machineMs: done.machineMs, waitingMs: done.waitingMs, ...(done.detail ? { detail: done.detail } : {}) });
    this.finishIfComplete();
  }

  private finishIfComplete(): void {
    if (this.current.status !== 'open' || this.current.nextStep !== undefined) return;
    this.record({ type: 'incident-finished', status: 'resolved' });
    this.publish({ type: 'incident-finished', id: this.id, status: 'resolved' });
  }

  private checkRunnable(index: number | undefined): StepState {
    if (this.current.status !== 'open') throw new DrcError(`incident ${this.id} is ${this.current.status}; nothing more runs in it`);
    if (index === undefined) throw new DrcError('every step is done or skipped');
    const step = this.stepState(index);
    if (this.running) throw new DrcError(`step ${this.running.step + 1} is still running`);
    if (step.status === 'done' || step.status === 'skipped') {
      throw new DrcError(`step ${index + 1} "${step.title}" is already ${step.status}; a finished step never runs twice`);
    }
    const earlier = this.current.nextStep;
    if (earlier !== undefined && earlier < index) {
      throw new DrcError(`step ${earlier + 1} "${this.current.steps[earlier]!.title}" comes first`, { hint: 'finish it or skip it with a reason' });
    }
    return step;
  }

  private stepState(index: number): StepState {
    const step = this.current.steps[index];
    if (!step) throw new DrcError(`no step ${index + 1}: the playbook has ${this.current.steps.length}`);
    return step;
  }

  private untickedItems(index: number): number[] {
    const ticked = new Set(this.stepState(index).ticked.map((entry) => entry.item));
    return this.playbook.steps[index]!.checklist.map((_, item) => item).filter((item) => !ticked.has(item));
  }

  private publishChecklist(index: number): void {
    const ticked = new Set(this.stepState(index).ticked.map((entry) => entry.item));
    const items = this.playbook.steps[index]!.checklist.map((entry, item) => ({ text: entry.text, ticked: ticked.has(item) }));
    this.publish({ type: 'checklist', step: index, items });
  }

  /** Journal first (fsynced), then the state through the reducer: the live run is a replay. */
  private record(entry: JournalEntry): void {
    this.current = applyEvent(this.current, this.journal.append(entry));
  }

  private publish(event: RunnerEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

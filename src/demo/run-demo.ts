import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, type ExitCode } from '../errors.js';
import type { Emit } from '../events.js';
import { printRunnerEvents, runRemainingSteps } from '../incidents/headless.js';
import { readJournal } from '../incidents/journal.js';
import { measureIncident } from '../incidents/measures.js';
import { renderPostmortem } from '../incidents/postmortem.js';
import { IncidentRunner } from '../incidents/runner.js';
import { resolvePlaybook } from '../playbooks/load.js';
import type { Playbook } from '../playbooks/types.js';
import { formatDuration } from '../util/duration.js';
import { DISASTER_TABLE } from './sample-data.js';
import type { Sandbox } from './sandbox.js';

export const DEMO_PLAYBOOK = 'local-data-loss';

/** The bundled local-data-loss playbook with the sandbox's vars (app folder, table to check). */
export function loadDemoPlaybook(sandbox: Sandbox): Playbook {
  return resolvePlaybook(DEMO_PLAYBOOK, { vars: sandbox.playbookVars, config: sandbox.loaded.config });
}

/** The disaster: a table of app-db dropped, as a bad migration or a stray DROP would. Returns when. */
export async function simulateDataLoss(sandbox: Sandbox, emit: Emit): Promise<string> {
  await sandbox.appDb.drop(DISASTER_TABLE);
  const lostAt = new Date().toISOString();
  emit({ type: 'log', level: 'warn', message: `demo: DISASTER — table "${DISASTER_TABLE}" of app-db (${sandbox.appDb.dialect}) dropped at ${lostAt}` });
  return lostAt;
}

export interface HeadlessDemoResult {
  exitCode: ExitCode;
  incident: string;
  postmortem: string;
  rtoMs: number | undefined;
  rpoMs: number | undefined;
}

/**
 * `drc demo --headless`: the disaster, then the local-data-loss playbook run by the same
 * runner as `drc run … --yes`, then the post-mortem written next to the journal.
 */
export async function runHeadlessDemo(sandbox: Sandbox, emit: Emit, signal: AbortSignal): Promise<HeadlessDemoResult> {
  const lostAt = await simulateDataLoss(sandbox, emit);
  const runner = IncidentRunner.start(loadDemoPlaybook(sandbox), { stateDir: sandbox.loaded.stateDir, config: sandbox.loaded.config }, { lostAt });
  const unsubscribe = runner.subscribe(printRunnerEvents(emit, runner.playbook.steps.length));
  const stop = () => void runner.stop('the demo was interrupted');
  signal.addEventListener('abort', stop, { once: true });
  try {
    runner.announce(false);
    const exitCode = await runRemainingSteps(runner, { yes: true });
    const events = readJournal(runner.dir);
    const postmortem = path.join(runner.dir, 'postmortem.md');
    await writeFile(postmortem, renderPostmortem(events), { mode: 0o600 });
    const measures = measureIncident(runner.state);
    const judge = (achieved: number | undefined, objective: number | undefined) =>
      `${achieved === undefined ? 'not measured' : formatDuration(achieved)}${objective === undefined ? '' : ` (objective ${formatDuration(objective)}: ${achieved !== undefined && achieved <= objective ? 'met' : 'MISSED'})`}`;
    emit({
      type: 'result',
      command: 'demo',
      exitCode,
      summary: `demo: incident ${runner.id} ${runner.state.status}; achieved RTO ${judge(measures.rto.achievedMs, measures.rto.objectiveMs)}, RPO ${judge(measures.rpo.achievedMs, measures.rpo.objectiveMs)}; post-mortem: ${postmortem}`,
      data: { incident: runner.id, status: runner.state.status, postmortem, rtoMs: measures.rto.achievedMs ?? null, rpoMs: measures.rpo.achievedMs ?? null, sandbox: sandbox.dir },
    });
    return { exitCode: runner.state.status === 'resolved' ? exitCode : EXIT.critical, incident: runner.id, postmortem, rtoMs: measures.rto.achievedMs, rpoMs: measures.rpo.achievedMs };
  } finally {
    signal.removeEventListener('abort', stop);
    unsubscribe();
    runner.close();
  }
}

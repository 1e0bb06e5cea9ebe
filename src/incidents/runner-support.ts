import os from 'node:os';
import { DrcError } from '../errors.js';
import type { Playbook } from '../playbooks/types.js';
import type { IncidentState } from './reducer.js';

/** Who runs the incident and where: recorded at start and on every resume. */
export function whoAndWhere(): { host: string; user: string } {
  let user = process.env.SUDO_USER ?? process.env.USER ?? 'unknown';
  try {
    user = process.env.SUDO_USER ?? os.userInfo().username;
  } catch {
    // No passwd entry (containers): keep the env's answer.
  }
  return { host: os.hostname(), user };
}

export function normalizeTime(text: string | undefined, what: string): string | undefined {
  if (text === undefined || text === '') return undefined;
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new DrcError(`${what}=${text}: not a date and time`, { hint: 'use ISO 8601, e.g. 2026-11-22T01:40:00Z' });
  return new Date(time).toISOString();
}

export function assertSameSteps(playbook: Playbook, state: IncidentState): void {
  const now = playbook.steps.map((step) => step.title);
  const then = state.steps.map((step) => step.title);
  const differs = now.length !== then.length || now.some((title, i) => title !== then[i]);
  if (differs) {
    throw new DrcError(`playbook ${playbook.file} changed since incident ${state.id} started: its steps are no longer the ones in the journal`, {
      hint: 'put the file back as it was (git) to resume, or start a new incident with "drc run"',
    });
  }
}

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DrcError, errorMessage } from '../errors.js';
import { incidentsDir, readJournal } from './journal.js';
import { reduceIncident, type IncidentState } from './reducer.js';

/** "2026-11-22T0312Z-local-data-loss": sorts by time, says what happened. */
export function makeIncidentId(playbookId: string, time: Date): string {
  const stamp = time.toISOString().slice(0, 16).replace(':', '') + 'Z';
  return `${stamp}-${playbookId}`;
}

export function incidentDir(stateDir: string, id: string): string {
  if (!/^[\w.-]+$/.test(id)) throw new DrcError(`"${id}" is not an incident id`, { hint: 'run "drc incidents" to list them' });
  return path.join(incidentsDir(stateDir), id);
}

export interface IncidentSummary {
  id: string;
  dir: string;
  state: IncidentState | undefined;
  problem?: string;
}

/** Every incident in the state folder, newest first; a damaged journal is listed with its problem. */
export function listIncidents(stateDir: string): IncidentSummary[] {
  let names: string[];
  try {
    names = readdirSync(incidentsDir(stateDir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .sort()
    .reverse()
    .map((id) => {
      const dir = path.join(incidentsDir(stateDir), id);
      try {
        return { id, dir, state: reduceIncident(readJournal(dir)) };
      } catch (error) {
        return { id, dir, state: undefined, problem: errorMessage(error) };
      }
    });
}

/** The incident named, or the newest open one. */
export function findIncident(stateDir: string, id?: string): { id: string; dir: string } {
  if (id) return { id, dir: incidentDir(stateDir, id) };
  const open = listIncidents(stateDir).find((entry) => entry.state?.status === 'open');
  if (!open) {
    throw new DrcError(`no open incident in ${incidentsDir(stateDir)}`, { hint: 'run "drc incidents" to list them, or "drc run PLAYBOOK" to start one' });
  }
  return { id: open.id, dir: open.dir };
}

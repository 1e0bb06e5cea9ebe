import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { useEffect, useState } from 'react';
import type { LoadedConfig } from '../../src/config/load.js';
import { errorMessage } from '../../src/errors.js';
import { collectStatusFacts } from '../../src/health/collect.js';
import { evaluateHealth } from '../../src/health/evaluate.js';
import { createFreeSpaceProbe } from '../../src/health/free-space.js';
import { buildStatusReport } from '../../src/health/report.js';
import { incidentsDir, readJournal } from '../../src/incidents/journal.js';
import { reduceIncident } from '../../src/incidents/reducer.js';
import { openTargets } from '../../src/storage/open-targets.js';
import { buildSourceRows, describeOpenIncident, type OpenIncident } from '../home-model.js';
import type { HomeData } from '../home.js';

/**
 * Gathers what the home screen shows. The same facts and judgement as `drc status`, but read
 * only: the TUI neither notifies nor rewrites status.json just because someone looked.
 */
export function useHomeData(loaded: LoadedConfig, refreshKey: number): { data: HomeData | undefined; error: string | undefined } {
  const [data, setData] = useState<HomeData>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    loadHomeData(loaded).then(
      (result) => live && (setData(result), setError(undefined)),
      (problem: unknown) => live && setError(errorMessage(problem)),
    );
    return () => {
      live = false;
    };
  }, [loaded, refreshKey]);
  return { data, error };
}

export async function loadHomeData(loaded: LoadedConfig, now = new Date()): Promise<HomeData> {
  const targets = await openTargets(loaded.config);
  const facts = await collectStatusFacts(loaded.config, loaded.stateDir, targets, createFreeSpaceProbe());
  const report = buildStatusReport(facts, evaluateHealth(facts, loaded.config.objectives, now), now);
  return { report, rows: buildSourceRows(report), incidents: await listOpenIncidents(loaded.stateDir) };
}

/** Incidents whose journal has no incident-finished: the ones `drc resume` would continue. */
export async function listOpenIncidents(stateDir: string): Promise<OpenIncident[]> {
  let names: string[];
  try {
    names = await readdir(incidentsDir(stateDir));
  } catch {
    return [];
  }
  const open: OpenIncident[] = [];
  for (const name of names.sort().reverse()) {
    try {
      const state = reduceIncident(readJournal(path.join(incidentsDir(stateDir), name)));
      if (state.status === 'open') open.push(describeOpenIncident(state));
    } catch {
      // A damaged journal is reported by `drc incidents`; home stays usable.
    }
  }
  return open;
}

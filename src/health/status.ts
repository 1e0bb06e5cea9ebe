import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { redact } from '../config/secrets.js';
import { errorMessage } from '../errors.js';
import type { Emit } from '../events.js';
import { writeFileAtomic } from '../metrics/write-atomic.js';
import { notifyEvent } from '../notify/notify.js';
import { openTargets } from '../storage/open-targets.js';
import type { Target } from '../storage/types.js';
import { collectStatusFacts, type StatusFacts } from './collect.js';
import { evaluateHealth } from './evaluate.js';
import { createFreeSpaceProbe, type FreeSpaceProbe } from './free-space.js';
import { buildStatusReport, type StatusReport } from './report.js';

export interface StatusOptions {
  emit: Emit;
  targets?: Target[];
  probe?: FreeSpaceProbe;
  now?: Date;
}

export interface StatusResult {
  report: StatusReport;
  facts: StatusFacts;
}

/**
 * Checks backup health, keeps the report in `<stateDir>/status.json` for the TUI and the next
 * run, and notifies when the level changed since the last check. Writing the state or
 * notifying may fail (a read-only monitoring user); that is logged, the report still stands.
 */
export async function checkStatus(loaded: LoadedConfig, options: StatusOptions): Promise<StatusResult> {
  const { config, stateDir } = loaded;
  const now = options.now ?? new Date();
  const targets = options.targets ?? (await openTargets(config));
  const facts = await collectStatusFacts(config, stateDir, targets, options.probe ?? createFreeSpaceProbe());
  const report = buildStatusReport(facts, evaluateHealth(facts, config.objectives, now), now);
  try {
    await writeFileAtomic(path.join(stateDir, 'status.json'), JSON.stringify(report, null, 2) + '\n', 0o600);
  } catch (error) {
    options.emit({ type: 'log', level: 'warn', message: `could not keep the status in ${stateDir}: ${redact(errorMessage(error))}` });
  }
  await notifyEvent(
    config,
    stateDir,
    {
      kind: 'status',
      level: report.level,
      summary: report.summary.split(' | ')[0]!,
      details: report.checks.map((check) => `${check.level}: ${check.message}`),
    },
    options.emit,
  );
  return { report, facts };
}

import { pingHealthcheck } from '../notify/healthchecks.js';
import { notifyEvent } from '../notify/notify.js';
import { gatherMetricsData, writeMetrics } from '../metrics/prometheus.js';
import { pruneAfterBackup } from '../retention/prune.js';
import { loadCatalog, type CatalogEntry } from '../sets/catalog.js';
import { loadSetTrust } from '../sets/sealed-manifest.js';
import { openTargets } from '../storage/open-targets.js';
import { EXIT, errorMessage } from '../errors.js';
import { runBackup, type BackupOptions, type BackupOutcome } from './run-backup.js';

/**
 * A backup as the scheduler runs it: dead-man's-switch pings around it, retention after it,
 * a notification when it failed or recovered, and Prometheus metrics. None of the extras can
 * turn a good backup into a failed one: each logs its own failure and moves on.
 */
export async function runBackupJob(options: BackupOptions & { metricsFile?: string }): Promise<BackupOutcome> {
  const { config, stateDir, emit } = options;
  await pingHealthcheck(config, 'start', { job: 'backup', emit });
  const outcome: BackupOutcome = await runBackup(options);
  // Another backup holding the lock is not a failure of the one that is running.
  if (outcome.status === 'refused' && outcome.exitCode === EXIT.warning) return outcome;
  if (outcome.setId) {
    const targets = await openTargets(config, outcome.storedOn);
    await pruneAfterBackup(config, await loadSetTrust(config, stateDir), targets, emit);
  }
  const level = outcome.exitCode === 0 ? 'ok' : outcome.exitCode === 1 ? 'warning' : 'critical';
  const details = [
    ...outcome.failedSources.map((failure) => `source ${failure.source}: ${failure.error}`),
    ...outcome.failedTargets.map((failure) => `target ${failure.target}: ${failure.error}`),
    ...outcome.warnings,
  ];
  const summary = outcome.setId ? `backup ${outcome.status}: set ${outcome.setId} on ${outcome.storedOn.join(', ')}` : 'backup failed: no set written';
  await notifyEvent(config, stateDir, { kind: 'backup', level, summary, details }, emit);
  await pingHealthcheck(config, outcome.exitCode === 2 ? 'fail' : 'success', { job: 'backup', message: [summary, ...details].join('\n'), emit });
  if (options.metricsFile) await writeBackupMetrics(options, emit);
  return outcome;
}

async function writeBackupMetrics(options: BackupOptions & { metricsFile?: string }, emit: BackupOptions['emit']): Promise<void> {
  try {
    const catalog: CatalogEntry[] = [];
    const trust = await loadSetTrust(options.config, options.stateDir);
    for (const target of await openTargets(options.config, options.targets)) {
      catalog.push(...(await loadCatalog(target, trust).catch(() => [])));
    }
    await writeMetrics(options.metricsFile!, await gatherMetricsData(options.stateDir, catalog));
  } catch (error) {
    emit({ type: 'log', level: 'warn', message: `metrics not written to ${options.metricsFile}: ${errorMessage(error)}` });
  }
}

import type { Command } from 'commander';
import { redact } from '../../config/secrets.js';
import { DrcError, EXIT, errorMessage } from '../../errors.js';
import { commandAction, type CommandContext } from '../context.js';
import { printFleet, type FleetFlags } from '../fleet-output.js';

interface StatusOptions extends FleetFlags {
  metrics?: string;
}

/**
 * `drc status`: monitoring calls it as a Nagios plugin, so the verdict goes to stdout (summary
 * line first, details after) and the exit code is the state. With --json, one result object.
 */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('backup health: age of the newest sets, verify and drill results, free space; Nagios-style exit code')
    .option('--metrics <file>', 'also write Prometheus metrics (node_exporter textfile collector)')
    .option('--all-hosts', 'every host that backs up under the targets, one line each; the exit code is the worst')
    .option('--target <name>', 'with --all-hosts: only this target')
    .option('--from <url>', 'with --all-hosts: look at s3://bucket/prefix or a folder instead of the configured targets (no config needed)')
    .option('--endpoint <url>', 'with --from: S3 endpoint')
    .option('--region <region>', 'with --from: S3 region')
    .option('--access-key-env <name>', 'with --from: env var holding the S3 access key id')
    .option('--secret-key-env <name>', 'with --from: env var holding the S3 secret access key')
    .action(
      commandAction<StatusOptions>(async (context, options) => {
        try {
          if (options.allHosts) return await printFleet(context, options, 'status');
          const loaded = await context.loadConfig();
          // Loaded on use: the health checks open every target (S3 client included).
          const [{ checkStatus }, { formatStatusDetails }] = await Promise.all([import('../../health/status.js'), import('../../health/report.js')]);
          const { report, facts } = await checkStatus(loaded, { emit: context.emit });
          if (options.metrics) {
            const { gatherMetricsData, writeMetrics } = await import('../../metrics/prometheus.js');
            const data = await gatherMetricsData(loaded.stateDir, facts.targets.flatMap((target) => target.catalog));
            await writeMetrics(options.metrics, { ...data, status: { level: report.level }, archives: facts.archives });
          }
          if (context.json) {
            context.emit({ type: 'result', command: 'status', exitCode: report.exitCode, summary: report.summary, data: { ...report } });
          } else {
            process.stdout.write(redact([report.summary, ...formatStatusDetails(report)].join('\n')) + '\n');
          }
          return report.exitCode;
        } catch (error) {
          return reportUnknownState(context, error);
        }
      }),
    );
}

/** A config that does not load is CRITICAL, said on stdout too, so the monitor shows why. */
function reportUnknownState(context: CommandContext, error: unknown): typeof EXIT.critical {
  const message = redact(errorMessage(error)).split('\n').join(' ');
  const summary = `DRC CRITICAL - cannot check: ${message}`;
  if (context.json) {
    context.emit({ type: 'result', command: 'status', exitCode: EXIT.critical, summary, data: { level: 'critical', error: message } });
  } else {
    process.stdout.write(summary + '\n');
    if (error instanceof DrcError && error.hint) context.emit({ type: 'log', level: 'error', message, hint: error.hint });
  }
  return EXIT.critical;
}

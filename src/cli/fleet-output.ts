import { redact } from '../config/secrets.js';
import type { ExitCode } from '../errors.js';
import type { CommandContext } from './context.js';

export interface FleetFlags {
  allHosts?: boolean;
  target?: string;
  from?: string;
  endpoint?: string;
  region?: string;
  accessKeyEnv?: string;
  secretKeyEnv?: string;
}

/**
 * `--all-hosts`: the Nagios line first, then one line per host, on stdout (monitoring reads
 * it); with --json one object per host and the result. The exit code is the worst host's.
 */
export async function printFleet(context: CommandContext, flags: FleetFlags, command: 'backups' | 'status'): Promise<ExitCode> {
  const config = flags.from ? await context.loadConfig().then((loaded) => loaded.config, () => undefined) : (await context.loadConfig()).config;
  const { checkFleet } = await import('../fleet/fleet-command.js');
  const fleet = await checkFleet({ config, targets: flags.target ? [flags.target] : undefined, from: flags.from, endpoint: flags.endpoint, region: flags.region, accessKeyEnv: flags.accessKeyEnv, secretKeyEnv: flags.secretKeyEnv });
  if (context.json) {
    for (const host of fleet.hosts) process.stdout.write(JSON.stringify({ type: 'host', ...host }) + '\n');
  } else {
    process.stdout.write(redact([fleet.summary, ...fleet.hosts.map((host) => host.line)].join('\n')) + '\n');
  }
  context.emit({ type: 'result', command, exitCode: fleet.exitCode, summary: fleet.summary, data: { hosts: fleet.hosts.length } });
  return fleet.exitCode;
}

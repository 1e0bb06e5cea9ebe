import type { Config } from '../config/schema.js';
import type { ExitCode } from '../errors.js';
import type { FromOptions } from '../init/from-location.js';
import { targetFromLocation } from '../init/from-location.js';
import { openTarget, openTargets } from '../storage/open-targets.js';
import { collectFleetFacts, evaluateFleet, type HostHealth } from './fleet-status.js';

export interface FleetOptions extends FromOptions {
  /** The configured targets to look at (default: all); unused with `from`. */
  config?: Config | undefined;
  targets?: string[] | undefined;
  /** s3://bucket/prefix or a folder, for a machine without a config. */
  from?: string | undefined;
  now?: Date;
}

/** The fleet view both `backups --all-hosts` and `status --all-hosts` print. */
export async function checkFleet(options: FleetOptions): Promise<{ exitCode: ExitCode; summary: string; hosts: HostHealth[] }> {
  const targets = options.from ? [await openTarget(targetFromLocation(options.from, options))] : await openTargets(options.config!, options.targets);
  const facts = await collectFleetFacts(targets);
  return evaluateFleet(facts, options.config?.objectives, options.now ?? new Date());
}

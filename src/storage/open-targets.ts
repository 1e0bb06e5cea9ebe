import type { Config, TargetConfig } from '../config/schema.js';
import { DrcError } from '../errors.js';
import { createLocalTarget } from './local.js';
import type { Target } from './types.js';

/** Opens one configured target; the S3 SDK loads only when an S3 target is used. */
export async function openTarget(config: TargetConfig): Promise<Target> {
  if (config.type === 'local') return createLocalTarget(config);
  // The SDK warns on Node 20 that future versions will need 22; the locked version works, and
  // a warning on stderr every night would bury real problems in cron mail.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { createS3Target } = await import('./s3.js');
  return createS3Target(config);
}

/** The configured targets, in config order, optionally narrowed to `names` (each must exist). */
export async function openTargets(config: Config, names?: string[]): Promise<Target[]> {
  const selected = selectByName(config.targets, names, 'target');
  return Promise.all(selected.map(openTarget));
}

export function selectByName<T extends { name: string }>(list: T[], names: string[] | undefined, what: string): T[] {
  if (!names?.length) return list;
  return names.map((name) => {
    const found = list.find((entry) => entry.name === name);
    if (!found) {
      throw new DrcError(`unknown ${what} "${name}"`, {
        hint: `configured ${what}s: ${list.map((entry) => entry.name).join(', ')}`,
      });
    }
    return found;
  });
}

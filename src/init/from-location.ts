import path from 'node:path';
import type { TargetConfig } from '../config/schema.js';
import { DrcError } from '../errors.js';

export interface FromOptions {
  endpoint?: string | undefined;
  region?: string | undefined;
  accessKeyEnv?: string | undefined;
  secretKeyEnv?: string | undefined;
}

/**
 * `s3://bucket/prefix` or a folder, as a target to read sets from. Credentials stay names of
 * env vars (or the AWS default chain); nothing secret is ever taken from the command line.
 */
export function targetFromLocation(location: string, options: FromOptions = {}, name = 'offsite'): TargetConfig {
  const s3 = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(location);
  if (s3) {
    const [, bucket, prefix] = s3;
    if (bucket!.length < 3) throw new DrcError(`${location}: bucket name "${bucket}" is too short`, { hint: 'expected s3://bucket/prefix' });
    if (Boolean(options.accessKeyEnv) !== Boolean(options.secretKeyEnv)) {
      throw new DrcError('--access-key-env and --secret-key-env go together', { hint: 'name both env vars, or neither to use the AWS default credential chain' });
    }
    for (const [flag, value] of [['--access-key-env', options.accessKeyEnv], ['--secret-key-env', options.secretKeyEnv]] as const) {
      if (value && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw new DrcError(`${flag} ${JSON.stringify(value)}: expected the NAME of an env var`, { hint: 'export the key in an env var and pass its name, never the key itself' });
    }
    return {
      name,
      type: 's3',
      bucket: bucket!,
      ...(prefix?.replace(/^\/+|\/+$/g, '') ? { prefix: prefix.replace(/^\/+|\/+$/g, '') } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.accessKeyEnv ? { accessKeyIdEnv: options.accessKeyEnv, secretAccessKeyEnv: options.secretKeyEnv! } : {}),
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new DrcError(`${location}: expected s3://bucket/prefix or a folder`, { hint: 'copy the sets to a folder first for other kinds of storage' });
  }
  return { name, type: 'local', path: path.resolve(location) };
}

/** The same place, as far as a config can tell: same bucket and prefix, or same folder. */
export function isSameLocation(a: TargetConfig, b: TargetConfig): boolean {
  if (a.type === 'local' && b.type === 'local') return path.resolve(a.path) === path.resolve(b.path);
  if (a.type === 's3' && b.type === 's3') return a.bucket === b.bucket && trimPrefix(a.prefix) === trimPrefix(b.prefix);
  return false;
}

function trimPrefix(prefix: string | undefined): string {
  return (prefix ?? '').replace(/^\/+|\/+$/g, '');
}

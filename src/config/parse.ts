import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { DrcError } from '../errors.js';
import { configSchema, type Config } from './schema.js';
import { SecretTooShortError, tryResolveSecret } from './secrets.js';

export interface LoadedConfig {
  config: Config;
  /** Where it came from, for messages: a path or "conf store (…)". */
  origin: string;
  stateDir: string;
}

export const DEFAULT_STATE_DIR = '/var/lib/drc';

/**
 * Reads and validates a config file. Kept apart from the conf store (load.ts) so commands
 * given --config or DRC_CONFIG never load the conf package.
 */
export function readConfigFile(file: string): LoadedConfig {
  const origin = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(origin, 'utf8');
  } catch (error) {
    throw new DrcError(`config ${origin}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'run "drc init" to write one, or pass --config PATH',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DrcError(`config ${origin}: not valid JSON (${(error as Error).message})`);
  }
  return toLoadedConfig(raw, origin);
}

/** Validates a raw config document and fills in the defaults the commands rely on. */
export function toLoadedConfig(raw: unknown, origin: string): LoadedConfig {
  const config = parseConfig(raw, origin);
  return { config, origin, stateDir: config.stateDir ?? DEFAULT_STATE_DIR };
}

/** Validates a config document; the error lists every problem with its key path and value. */
export function parseConfig(raw: unknown, origin = 'config'): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => describeIssue(issue, raw));
    throw new DrcError(`invalid config ${origin}:\n  ${lines.join('\n  ')}`, {
      hint: 'fix the keys named above; "drc init --help" shows the flags that write a valid config',
    });
  }
  registerConfiguredSecrets(result.data);
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const keyPath = formatPath(issue.path);
  const value = valueAt(raw, issue.path);
  let message = issue.message;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    message = `unknown ${String(issue.discriminator)}`;
  }
  const got = value === undefined ? (issue.code === 'invalid_type' ? ', missing' : '') : `, got ${preview(value)}`;
  return `${keyPath}: ${message}${got}`;
}

function formatPath(keys: readonly PropertyKey[]): string {
  let text = 'config';
  for (const key of keys) text += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return text;
}

function valueAt(raw: unknown, keys: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const key of keys) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Registers every configured secret that resolves now, so output is masked from the start. */
function registerConfiguredSecrets(config: Config): void {
  const refs: Array<[string | undefined, string | undefined]> = [
    [config.encryption.passphraseEnv, config.encryption.passphraseFile],
  ];
  for (const source of config.sources) {
    if (source.type === 'postgres' || source.type === 'mysql') refs.push([source.passwordEnv, source.passwordFile]);
    if (source.type === 'calcom' || source.type === 'retell') refs.push([source.apiKeyEnv, source.apiKeyFile]);
  }
  for (const target of config.targets) {
    if (target.type === 's3') {
      refs.push([target.accessKeyIdEnv, target.accessKeyIdFile], [target.secretAccessKeyEnv, target.secretAccessKeyFile]);
    }
  }
  for (const notify of config.notify ?? []) {
    if (notify.type === 'email') refs.push([notify.smtpUrlEnv, notify.smtpUrlFile]);
    else refs.push([notify.urlEnv, notify.urlFile]);
  }
  for (const [env, file] of refs) {
    try {
      tryResolveSecret({ env, file }, `secret ${env ? `env ${env}` : `file ${file}`}`);
    } catch (error) {
      // Too short to mask: refused now. An unreadable file is reported when the secret is needed.
      if (error instanceof SecretTooShortError) throw error;
    }
  }
}

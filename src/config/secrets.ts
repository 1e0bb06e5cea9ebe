import { readFileSync } from 'node:fs';
import { DrcError } from '../errors.js';

/**
 * Every secret value drc has resolved. Whatever drc writes (output, journals, reports,
 * manifests, error messages) goes through redact(), so a secret that leaks into a tool's
 * stderr or a shell step's output is masked before anyone sees it.
 */
const knownSecrets = new Set<string>();

export const MASK = '********';

/**
 * Shorter values would mask ordinary words all over the output and garble every message; a
 * configured secret that short is refused when the config is loaded (SecretTooShortError).
 */
export const MIN_SECRET_LENGTH = 4;

export function registerSecret(value: string): void {
  if (value.length >= MIN_SECRET_LENGTH) knownSecrets.add(value);
}

/** A configured secret too short to be masked in output (and to protect anything). */
export class SecretTooShortError extends DrcError {}

export function redact(text: string): string {
  let result = text;
  for (const secret of knownSecrets) {
    if (result.includes(secret)) result = result.split(secret).join(MASK);
  }
  return result;
}

export interface SecretRef {
  env?: string | undefined;
  file?: string | undefined;
}

/**
 * Reads a secret from its env var or file at the moment it is needed; never cached in the
 * config. `what` names it for the error ("source app-db password").
 */
export function resolveSecret(ref: SecretRef, what: string): string {
  const value = tryResolveSecret(ref, what);
  if (value === undefined) {
    const where = ref.env ? `env var ${ref.env}` : ref.file ? `file ${ref.file}` : 'no env var or file';
    throw new DrcError(`${what}: ${where} is not set`, {
      hint: ref.env ? `export ${ref.env}=… (or use an env file for the systemd unit)` : 'name an env var or file in the config',
    });
  }
  return value;
}

export function tryResolveSecret(ref: SecretRef, what: string): string | undefined {
  let value: string | undefined;
  if (ref.env) value = process.env[ref.env] || undefined;
  if (value === undefined && ref.file) {
    try {
      value = readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new DrcError(`${what}: cannot read secret file ${ref.file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
        hint: 'check the path and that drc may read it (mode 0600, owned by the user running drc)',
      });
    }
  }
  if (value !== undefined && value.length < MIN_SECRET_LENGTH) {
    const where = ref.env && process.env[ref.env] ? `env var ${ref.env}` : `file ${ref.file}`;
    throw new SecretTooShortError(`${what}: ${where} holds only ${value.length} character(s); drc refuses secrets shorter than ${MIN_SECRET_LENGTH}`, {
      hint: `use a longer secret: drc masks every secret in its output, which needs at least ${MIN_SECRET_LENGTH} characters`,
    });
  }
  if (value !== undefined) registerSecret(value);
  return value;
}

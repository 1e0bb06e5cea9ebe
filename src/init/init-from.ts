import type { Config, TargetConfig } from '../config/schema.js';
import { DrcError, errorMessage } from '../errors.js';
import type { Emit } from '../events.js';
import { findNewestSet, listHostSets } from '../fleet/hosts.js';
import type { ResolvedSet } from '../restore/resolve-set.js';
import { CONFIG_ITEM } from '../sets/meta-items.js';
import { parseSetId } from '../sets/set-id.js';
import { openTarget } from '../storage/open-targets.js';
import { readAuthenticatedConfig } from './authenticated-config.js';
import { isSameLocation, targetFromLocation, type FromOptions } from './from-location.js';

export interface InitFromOptions extends FromOptions {
  signingKey?: string | undefined;
  allowUnsigned?: boolean | undefined;
  /** s3://bucket/prefix or a folder. */
  location: string;
  host?: string | undefined;
  /** The env var holding the passphrase (default DRC_PASSPHRASE). */
  passphraseEnv?: string | undefined;
  keyFile?: string | undefined;
  emit: Emit;
}

export interface InitFromResult {
  config: Config;
  host: string;
  setId: string;
  hosts: Array<{ host: string; sets: number; newest: string }>;
  /** What was changed in the config's targets, for the person to read. */
  notes: string[];
  /** Env vars the config names that are not set in this shell: needed before restoring. */
  missingEnv: string[];
}

export const DEFAULT_PASSPHRASE_ENV = 'DRC_PASSPHRASE';

/**
 * On a machine that has nothing but drc, the bucket's credentials and the passphrase (or
 * private key): finds the hosts at `location`, takes the chosen host's newest complete set
 * that carries a config, decrypts the config, and points its targets at where the sets were
 * found. Nothing is written here; the caller writes the config.
 */
export async function initFrom(options: InitFromOptions): Promise<InitFromResult> {
  const found = targetFromLocation(options.location, options);
  const target = await openTarget(found);
  if (found.type === 's3') await target.checkReachable();
  const hostSets = await listHostSets(target);
  const hosts = [...hostSets.entries()].map(([host, ids]) => ({ host, sets: ids.length, newest: ids[0]! })).sort((a, b) => a.host.localeCompare(b.host));
  if (!hosts.length) {
    throw new DrcError(`no backup sets at ${target.location}`, { hint: 'check the bucket and prefix (or folder), and the endpoint and credentials for S3' });
  }
  const listing = hosts.map((entry) => `${entry.host} (${entry.sets} set(s), newest ${entry.newest})`).join(', ');
  options.emit({ type: 'log', level: 'info', message: `hosts at ${target.location}: ${listing}` });
  const host = chooseHost(hosts, options.host, listing);

  const passphraseEnv = options.passphraseEnv ?? DEFAULT_PASSPHRASE_ENV;
  let opened: { config: Config; by: string } | undefined;
  const newest = await findNewestSet(target, hostSets.get(host)!, async (manifest, id, bytes) => {
    if (manifest.set !== id) return `its manifest describes set ${manifest.set}: copied from another set`;
    if (manifest.status !== 'complete') return `set is ${manifest.status}`;
    if (!manifest.items.some((item) => item.source === CONFIG_ITEM)) return 'set carries no config (written by an older drc)';
    const resolved: ResolvedSet = { id, time: parseSetId(id)!.time, manifest, copies: [{ target, manifest }] };
    try {
      opened = await readAuthenticatedConfig(resolved, bytes, { ...options, passphraseEnv });
      return undefined;
    } catch (error) {
      options.emit({ type: 'log', level: 'warn', message: `set ${id} not taken: ${errorMessage(error)}` });
      return errorMessage(error);
    }
  });
  if (!newest?.manifest || !opened) {
    throw new DrcError(`host ${host}: no complete, authenticated set with a config at ${target.location}${newest?.problem ? ` (newest tried, ${newest.id}: ${newest.problem})` : ''}`, {
      hint: 'check the passphrase env var (or --key / --trust-key); pick another host with --host; or write a config by hand with "drc init"',
    });
  }
  const manifest = newest.manifest;
  const old = opened.config;
  const notes: string[] = [`config from set ${newest.id} of host ${host}; manifest authenticated by ${opened.by}`];
  if (old.signing?.keyFile) notes.push(`config.signing.keyFile ${old.signing.keyFile} (the private signing key) lived on the lost server: copy it back from where you keep it before the next backup, or run "drc init" to make a new one`);
  const config: Config = { ...old, targets: repointTargets(old.targets, found, notes) };
  if (manifest.encryption.passphrase && old.encryption.passphraseEnv && old.encryption.passphraseEnv !== passphraseEnv) {
    notes.push(`the config reads the passphrase from env ${old.encryption.passphraseEnv} (you used ${passphraseEnv}): export ${old.encryption.passphraseEnv} before restoring`);
  }
  return { config, host, setId: newest.id, hosts, notes, missingEnv: findMissingEnv(config) };
}

function chooseHost(hosts: Array<{ host: string }>, wanted: string | undefined, listing: string): string {
  if (wanted) {
    if (!hosts.some((entry) => entry.host === wanted)) throw new DrcError(`no sets of host "${wanted}" here`, { hint: `hosts found: ${listing}` });
    return wanted;
  }
  if (hosts.length === 1) return hosts[0]!.host;
  throw new DrcError(`${hosts.length} hosts back up here; say which one was lost`, { hint: `pass --host NAME; hosts found: ${listing}` });
}

/**
 * The target the sets were found on replaces the config's entry for the same place (keeping
 * its name, taking the endpoint, region and credential names given now), or is added first.
 * Other targets stay: a local folder comes back empty and fills with the next backup.
 */
function repointTargets(targets: TargetConfig[], found: TargetConfig, notes: string[]): TargetConfig[] {
  const index = targets.findIndex((entry) => isSameLocation(entry, found));
  if (index >= 0) {
    const old = targets[index]!;
    const merged = { ...old, ...found, name: old.name } as TargetConfig;
    if (JSON.stringify(merged) !== JSON.stringify(old)) notes.push(`target ${old.name}: now reads from where the sets were found (${describeTarget(found)})`);
    return targets.map((entry, position) => (position === index ? merged : entry));
  }
  let name = found.name;
  for (let n = 2; targets.some((entry) => entry.name === name); n += 1) name = `${found.name}-${n}`;
  notes.push(`target ${name} added first: ${describeTarget(found)} (no configured target pointed there)`);
  return [{ ...found, name }, ...targets];
}

function describeTarget(target: TargetConfig): string {
  return target.type === 's3' ? `s3://${target.bucket}${target.prefix ? `/${target.prefix}` : ''}${target.endpoint ? ` at ${target.endpoint}` : ''}` : target.path;
}

function findMissingEnv(config: Config): string[] {
  const names = new Set<string>();
  if (config.encryption.passphraseEnv) names.add(config.encryption.passphraseEnv);
  for (const source of config.sources) {
    if ((source.type === 'postgres' || source.type === 'mysql') && source.passwordEnv) names.add(source.passwordEnv);
    if ((source.type === 'calcom' || source.type === 'retell') && source.apiKeyEnv) names.add(source.apiKeyEnv);
  }
  for (const target of config.targets) {
    if (target.type === 's3') for (const name of [target.accessKeyIdEnv, target.secretAccessKeyEnv]) if (name) names.add(name);
  }
  return [...names].filter((name) => !process.env[name]);
}

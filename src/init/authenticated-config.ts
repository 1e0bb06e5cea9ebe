import { readFile } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { parseConfig } from '../config/parse.js';
import { DrcError, errorMessage } from '../errors.js';
import type { Emit } from '../events.js';
import { loadDecryptionKeys } from '../restore/decrypt.js';
import { readResolvedItemPlain } from '../restore/read-item.js';
import type { ResolvedSet } from '../restore/resolve-set.js';
import { MANIFEST_FILE } from '../sets/manifest.js';
import { CONFIG_ITEM } from '../sets/meta-items.js';
import { createDocumentTrust, fingerprintOf, readPinnedPublicKey, verifySealedDocument, type DocumentTrust } from '../trust/authenticate.js';

export interface ConfigTrustOptions {
  /** The env var holding the passphrase. */
  passphraseEnv: string;
  keyFile?: string | undefined;
  /** --trust-key: an armored public key file, or the key's fingerprint. */
  signingKey?: string | undefined;
  /** Take a set whose manifest carries no seal at all (written before drc sealed manifests). */
  allowUnsigned?: boolean | undefined;
  emit: Emit;
}

/**
 * The config inside a set, but only from a set whose manifest is authenticated, since the
 * config decides what gets restored where. What vouches for the manifest:
 * - a `--trust-key` pin (public key file: checked before anything is decrypted; fingerprint:
 *   must be the key the decrypted config pins), or else
 * - the passphrase: an item that decrypts with it was written by someone who holds it, so the
 *   config inside is genuine, and the manifest must carry its signature (by the key that config
 *   pins) or its passphrase MAC.
 * A set opened with a private key alone proves nothing (anyone can encrypt to a public key):
 * that needs the pin.
 */
export async function readAuthenticatedConfig(resolved: ResolvedSet, manifestBytes: Buffer, options: ConfigTrustOptions): Promise<{ config: Config; by: string }> {
  const copy = resolved.copies[0]!;
  const readSeal = (suffix: string) => copy.target.readFile(resolved.id, `${MANIFEST_FILE}${suffix}`);
  const pin = options.signingKey ? await readPin(options.signingKey) : undefined;
  const check = async (trust: DocumentTrust): Promise<string> => {
    const verdict = await verifySealedDocument(trust, manifestBytes, readSeal);
    if (verdict.ok) return verdict.by;
    if (verdict.unsealed && options.allowUnsigned) {
      options.emit({ type: 'log', level: 'warn', message: `set ${resolved.id}: manifest carries no seal; taken because of --allow-unsigned` });
      return 'nothing (--allow-unsigned)';
    }
    throw new DrcError(`set ${resolved.id}: manifest not authenticated: ${verdict.reason}`, {
      hint: verdict.unsealed ? 'sets written before manifests were sealed can be taken with --allow-unsigned, once you are sure the bucket was not tampered with' : 'the set may have been tampered with; an older set is tried next',
    });
  };
  let by: string | undefined;
  if (pin?.publicKey) by = await check(await createDocumentTrust({ signing: { publicKey: pin.publicKey } }));

  const keys = await loadDecryptionKeys({ passphraseEnv: options.passphraseEnv }, resolved.manifest, options.keyFile);
  const item = resolved.manifest.items.find((entry) => entry.source === CONFIG_ITEM)!;
  const plain = await readResolvedItemPlain(resolved, item, keys, options.emit);
  let raw: unknown;
  try {
    raw = JSON.parse(plain.toString('utf8'));
  } catch (error) {
    throw new DrcError(`set ${resolved.id}: its config item is not JSON (${errorMessage(error)})`);
  }
  const config = parseConfig(raw, `config in set ${resolved.id}`);
  if (by) return { config, by };

  if (pin?.fingerprint) {
    const pinned = config.signing ? fingerprintOf(await readPinnedPublicKey(config.signing.publicKey)) : undefined;
    if (pinned !== pin.fingerprint) {
      throw new DrcError(`set ${resolved.id}: its config pins signing key ${pinned ?? '(none)'}, not ${pin.fingerprint} given by --trust-key`);
    }
  } else if (!keys.passwords.length) {
    throw new DrcError(`set ${resolved.id} was opened with a private key only, which proves nothing about who wrote it`, {
      hint: 'pass --trust-key with the public signing key file (or its fingerprint) of the lost server, or the passphrase in its env var',
    });
  }
  return { config, by: await check(await createDocumentTrust({ signing: config.signing, passphrase: keys.passwords[0] })) };
}

async function readPin(value: string): Promise<{ publicKey?: string; fingerprint?: string }> {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (/^[0-9A-F]{40}$/.test(compact)) return { fingerprint: compact };
  let armored: string;
  try {
    armored = await readFile(value, 'utf8');
  } catch (error) {
    throw new DrcError(`--trust-key ${value}: neither a fingerprint (40 hex digits) nor a readable file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  await readPinnedPublicKey(armored);
  return { publicKey: armored };
}

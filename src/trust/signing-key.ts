import { existsSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { DrcError } from '../errors.js';
import { fingerprintOf } from './authenticate.js';
import { readSigningKeyFile } from './load-trust.js';

export interface CreatedSigningKey {
  keyFile: string;
  /** Armored public key: pinned in config.signing.publicKey and printed for the operator. */
  publicKey: string;
  fingerprint: string;
}

/**
 * The signing key at `keyFile` for `drc init`: the existing one when it is there (re-running
 * init must not orphan the sets it signed), otherwise a new one.
 */
export async function ensureSigningKey(keyFile: string, host: string): Promise<CreatedSigningKey & { created: boolean }> {
  if (!existsSync(keyFile)) return { ...(await createSigningKey(keyFile, host)), created: true };
  const armored = await readSigningKeyFile(keyFile);
  const key = await openpgp.readPrivateKey({ armoredKey: armored });
  return { keyFile, publicKey: key.toPublic().armor(), fingerprint: fingerprintOf(key), created: false };
}

/**
 * A new signing key for `drc init`: a v4 EdDSA (ed25519) key, which GnuPG 2.2 verifies, with no
 * passphrase (cron signs unattended) and written 0600 without ever overwriting a key that exists.
 */
export async function createSigningKey(keyFile: string, host: string): Promise<CreatedSigningKey> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: `drc backup signing key (${host})` }],
    subkeys: [],
    format: 'armored',
    config: { v6Keys: false },
  });
  await mkdir(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  let handle;
  try {
    handle = await open(keyFile, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new DrcError(`${keyFile} exists; refusing to replace a signing key (sets it signed would no longer verify)`, {
        hint: 'keep it and pin its public key in config.signing, or move it away first if you mean to start over',
      });
    }
    throw error;
  }
  try {
    await handle.writeFile(privateKey);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return { keyFile, publicKey, fingerprint: fingerprintOf(key) };
}

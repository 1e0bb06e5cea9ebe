import { readFile, stat } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { tryResolveSecret } from '../config/secrets.js';
import { DrcError } from '../errors.js';
import { createDocumentTrust, type DocumentTrust } from './authenticate.js';

const loaded = new WeakMap<Config, Promise<DocumentTrust>>();

/**
 * The document trust of a config: its pinned signing key (config.signing) and, for MAC seals,
 * its passphrase when that is set. Loaded once per config object.
 */
export function loadDocumentTrust(config: Config): Promise<DocumentTrust> {
  let trust = loaded.get(config);
  if (!trust) {
    const { passphraseEnv, passphraseFile } = config.encryption;
    const passphrase = passphraseEnv || passphraseFile ? tryResolveSecret({ env: passphraseEnv, file: passphraseFile }, 'encryption passphrase') : undefined;
    trust = createDocumentTrust({ signing: config.signing, passphrase, readPrivateKey: readSigningKeyFile });
    loaded.set(config, trust);
    trust.catch(() => loaded.delete(config));
  }
  return trust;
}

/** The private signing key, refused when others may read it (it can forge every backup). */
export async function readSigningKeyFile(keyFile: string): Promise<string> {
  let mode: number;
  let text: string;
  try {
    mode = (await stat(keyFile)).mode;
    text = await readFile(keyFile, 'utf8');
  } catch (error) {
    throw new DrcError(`signing.keyFile ${keyFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'check the path and that the user running drc owns it (mode 0600)',
    });
  }
  if (mode & 0o077) {
    throw new DrcError(`signing.keyFile ${keyFile} is readable by others (mode ${(mode & 0o777).toString(8)}); whoever reads it can forge backups`, {
      hint: `chmod 600 ${keyFile}`,
    });
  }
  return text;
}

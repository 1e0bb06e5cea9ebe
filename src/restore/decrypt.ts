import { readFile } from 'node:fs/promises';
import { Duplex, PassThrough, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import * as openpgp from 'openpgp';
import type { EncryptionConfig } from '../config/schema.js';
import { resolveSecret, tryResolveSecret } from '../config/secrets.js';
import { DrcError, errorMessage } from '../errors.js';
import type { Manifest } from '../sets/manifest.js';

/** Env vars that name the private key for sets encrypted only to recipients (documented in README). */
export const PRIVATE_KEY_FILE_ENV = 'DRC_PRIVATE_KEY_FILE';
export const PRIVATE_KEY_PASSPHRASE_ENV = 'DRC_PRIVATE_KEY_PASSPHRASE';

export interface DecryptionKeys {
  passwords: string[];
  privateKeys: openpgp.PrivateKey[];
}

/**
 * What can open this set: the configured passphrase (when the set used one) and/or a private
 * key from `--key FILE` or $DRC_PRIVATE_KEY_FILE (its own passphrase in $DRC_PRIVATE_KEY_PASSPHRASE).
 */
export async function loadDecryptionKeys(
  encryption: EncryptionConfig,
  manifest: Pick<Manifest, 'encryption' | 'set'>,
  keyFile: string | undefined = process.env[PRIVATE_KEY_FILE_ENV] || undefined,
): Promise<DecryptionKeys> {
  const keys: DecryptionKeys = { passwords: [], privateKeys: [] };
  if (keyFile) keys.privateKeys.push(await readPrivateKey(keyFile));
  if (manifest.encryption.passphrase) {
    const ref = { env: encryption.passphraseEnv, file: encryption.passphraseFile };
    const passphrase = keys.privateKeys.length ? tryResolveSecret(ref, 'encryption passphrase') : ref.env || ref.file ? resolveSecret(ref, 'encryption passphrase') : undefined;
    if (passphrase) keys.passwords.push(passphrase);
  }
  if (!keys.passwords.length && !keys.privateKeys.length) {
    throw new DrcError(`set ${manifest.set} is encrypted only to public keys (${manifest.encryption.recipients.join(', ')}); no private key given`, {
      exitCode: 2,
      hint: `pass --key FILE (or set ${PRIVATE_KEY_FILE_ENV}) with the matching private key; its passphrase, if any, in ${PRIVATE_KEY_PASSPHRASE_ENV}`,
    });
  }
  return keys;
}

async function readPrivateKey(file: string): Promise<openpgp.PrivateKey> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    throw new DrcError(`private key ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'export it with: gpg --export-secret-keys --armor KEYID > FILE',
    });
  }
  let key: openpgp.PrivateKey;
  try {
    const text = data.toString('utf8');
    key = text.includes('-----BEGIN PGP') ? await openpgp.readPrivateKey({ armoredKey: text }) : await openpgp.readPrivateKey({ binaryKey: data });
  } catch (error) {
    throw new DrcError(`private key ${file}: not an OpenPGP private key (${errorMessage(error)})`, {
      hint: 'export it with: gpg --export-secret-keys --armor KEYID > FILE',
    });
  }
  if (key.isDecrypted()) return key;
  const passphrase = tryResolveSecret({ env: PRIVATE_KEY_PASSPHRASE_ENV }, 'private key passphrase');
  if (!passphrase) {
    throw new DrcError(`private key ${file} is protected by a passphrase and ${PRIVATE_KEY_PASSPHRASE_ENV} is not set`, {
      hint: `export ${PRIVATE_KEY_PASSPHRASE_ENV}=… (read it with: read -rs ${PRIVATE_KEY_PASSPHRASE_ENV}; export ${PRIVATE_KEY_PASSPHRASE_ENV})`,
    });
  }
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch (error) {
    throw new DrcError(`private key ${file}: cannot unlock it: wrong passphrase in ${PRIVATE_KEY_PASSPHRASE_ENV} (${errorMessage(error)})`);
  }
}

/**
 * A stream stage that decrypts an OpenPGP message as it flows. The output is unauthenticated
 * until the stream ends without error (the MDC is checked at the very end), so callers only
 * treat what they built from it as good once the whole pipeline has finished. A wrong
 * passphrase or key fails on the session-key packets, before any plaintext is produced.
 */
export function createDecryptor(keys: DecryptionKeys, what: string): Duplex {
  const input = new PassThrough({ highWaterMark: 1 << 20 });
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  void (async () => {
    const message = await openpgp.readMessage({ binaryMessage: Readable.toWeb(input) as unknown as ReadableStream<Uint8Array> });
    let decrypted: openpgp.DecryptMessageResult;
    try {
      decrypted = await openpgp.decrypt({
        message,
        ...(keys.passwords.length ? { passwords: keys.passwords } : {}),
        ...(keys.privateKeys.length ? { decryptionKeys: keys.privateKeys } : {}),
        format: 'binary',
        config: { allowUnauthenticatedStream: true },
      });
    } catch (error) {
      throw describeDecryptError(error, what);
    }
    Readable.fromWeb(decrypted.data as unknown as WebReadableStream<Uint8Array>)
      .on('error', (error) => output.destroy(new DrcError(`cannot decrypt ${what}: the file is damaged (${errorMessage(error)})`)))
      .pipe(output);
  })().catch((error: unknown) => {
    input.resume(); // drain what is still being written so the reading side can finish
    output.destroy(error instanceof DrcError ? error : new DrcError(`cannot decrypt ${what}: not an OpenPGP message (${errorMessage(error)})`));
  });
  return Duplex.from({ writable: input, readable: output });
}

function describeDecryptError(error: unknown, what: string): DrcError {
  const message = errorMessage(error);
  if (/session key|decrypt(ing)? (the )?session|No key or password|password|key packet/i.test(message)) {
    return new DrcError(`cannot decrypt ${what}: wrong passphrase or key`, {
      hint: `check the passphrase env var named in config.encryption, or pass --key FILE / ${PRIVATE_KEY_FILE_ENV} with the private key the set was encrypted to`,
    });
  }
  return new DrcError(`cannot decrypt ${what}: ${message}`);
}

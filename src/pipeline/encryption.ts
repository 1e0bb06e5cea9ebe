import { readFile } from 'node:fs/promises';
import { Duplex, PassThrough, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import * as openpgp from 'openpgp';
import type { EncryptionConfig } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import { DrcError, errorMessage } from '../errors.js';

/**
 * OpenPGP settings GnuPG 2.2 decrypts: SEIPDv1 (integrity-protected, no AEAD), AES-256,
 * iterated-salted S2K (no argon2), no compression inside (zstd outside is ~10x faster).
 */
export const OPENPGP_CONFIG: openpgp.PartialConfig = {
  preferredSymmetricAlgorithm: openpgp.enums.symmetric.aes256,
  preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed,
  aeadProtect: false,
  s2kType: openpgp.enums.s2k.iterated,
  v6Keys: false,
};

export interface EncryptionSettings {
  passwords: string[];
  keys: openpgp.PublicKey[];
  fingerprints: string[];
}

/** Resolves the passphrase and reads the recipients' public keys; refuses keys GnuPG 2.2 cannot use. */
export async function loadEncryption(config: EncryptionConfig): Promise<EncryptionSettings> {
  const passwords: string[] = [];
  if (config.passphraseEnv || config.passphraseFile) {
    passwords.push(resolveSecret({ env: config.passphraseEnv, file: config.passphraseFile }, 'encryption passphrase'));
  }
  const keys: openpgp.PublicKey[] = [];
  for (const file of config.recipients ?? []) keys.push(await readRecipientKey(file));
  return { passwords, keys, fingerprints: keys.map((key) => key.getFingerprint().toUpperCase()) };
}

async function readRecipientKey(file: string): Promise<openpgp.PublicKey> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    throw new DrcError(`encryption.recipients: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'export the public key with: gpg --export --armor KEYID > ' + file,
    });
  }
  let key: openpgp.Key;
  try {
    const text = data.toString('utf8');
    key = text.includes('-----BEGIN PGP') ? await openpgp.readKey({ armoredKey: text }) : await openpgp.readKey({ binaryKey: data });
  } catch (error) {
    throw new DrcError(`encryption.recipients: ${file} is not an OpenPGP public key (${errorMessage(error)})`);
  }
  if (key.isPrivate()) {
    throw new DrcError(`encryption.recipients: ${file} holds a PRIVATE key`, {
      hint: 'only the public key belongs on the backup host: gpg --export --armor KEYID',
    });
  }
  if (key.keyPacket.version !== 4) {
    throw new DrcError(`encryption.recipients: ${file} is a v${key.keyPacket.version} key; GnuPG 2.2 needs v4 keys`);
  }
  try {
    await key.getEncryptionKey();
  } catch (error) {
    throw new DrcError(`encryption.recipients: ${file} has no usable encryption subkey (${errorMessage(error)})`, {
      hint: 'check that the key is not expired or revoked',
    });
  }
  return key as openpgp.PublicKey;
}

/** A stream stage that encrypts what is written to it; memory stays bounded (no buffering). */
export function createEncryptor(settings: EncryptionSettings): Duplex {
  const input = new PassThrough({ highWaterMark: 1 << 20 });
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  void (async () => {
    const message = await openpgp.createMessage({ binary: Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>, format: 'binary' });
    const encrypted = (await openpgp.encrypt({
      message,
      ...(settings.passwords.length ? { passwords: settings.passwords } : {}),
      ...(settings.keys.length ? { encryptionKeys: settings.keys } : {}),
      format: 'binary',
      config: OPENPGP_CONFIG,
    })) as unknown as WebReadableStream<Uint8Array>;
    Readable.fromWeb(encrypted).on('error', (error) => output.destroy(error)).pipe(output);
  })().catch((error: unknown) => output.destroy(error as Error));
  return Duplex.from({ writable: input, readable: output });
}

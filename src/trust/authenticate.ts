import { createHmac, hkdfSync, scryptSync, timingSafeEqual } from 'node:crypto';
import * as openpgp from 'openpgp';
import { DrcError, errorMessage } from '../errors.js';

/**
 * Authentication of small JSON documents that drc acts on (backup-set manifests, archive
 * indexes): a detached seal stored beside the document, so a person can still read the
 * document with `cat` and check it with standard tools.
 *
 * How to use it for any document `NAME` (e.g. `manifest.json`, `index.json`):
 *
 *   const trust = await loadDocumentTrust(config);          // once per command
 *   const seal = await trust.seal(bytes);                   // when writing NAME
 *   await store(`${NAME}${seal.suffix}`, seal.content);     // NAME.sig or NAME.mac, before NAME
 *   …
 *   const verdict = await verifySealedDocument(trust, bytes, (suffix) => read(`${NAME}${suffix}`));
 *   if (!verdict.ok) refuse(`${NAME}: ${verdict.reason}`);  // never act on it
 *
 * Two kinds of seal:
 * - `.sig`: an armored OpenPGP detached signature (v4 EdDSA key, GnuPG 2.2 verifies it with
 *   `gpg --verify NAME.sig NAME`) by the signing key `drc init` creates. Whoever holds only the
 *   pinned public key (config `signing.publicKey`) can verify but never sign.
 * - `.mac`: for configs without a signing key, an HMAC-SHA256 keyed from the encryption
 *   passphrase (scrypt, then HKDF; see deriveMacKey). Anyone holding the passphrase can write
 *   one, so when a signing key is pinned a `.mac` is never accepted in place of a `.sig`.
 *
 * The document's bytes are authenticated exactly as stored: verify the bytes you read, then
 * parse those same bytes (never read the file twice).
 */

/** Files that may seal a document, strongest first: `<name>.sig`, `<name>.mac`. */
export const SEAL_SUFFIXES = ['.sig', '.mac'] as const;
export type SealSuffix = (typeof SEAL_SUFFIXES)[number];

export interface Seal {
  suffix: SealSuffix;
  content: string;
}

export type Verdict =
  | { ok: true; by: string }
  /** `unsealed`: no seal file at all (a legacy document, or one whose seal was removed). */
  | { ok: false; unsealed: boolean; reason: string };

export interface DocumentTrust {
  /** What seals new documents, for messages: "OpenPGP key 3EAE14AC…" or "passphrase MAC". */
  readonly sealsWith: string;
  /** A detached seal for `bytes`; throws a DrcError naming the fix when nothing can seal. */
  seal(bytes: Uint8Array): Promise<Seal>;
  /** Checks one seal file's content against `bytes`. */
  verify(bytes: Uint8Array, sealContent: string): Promise<Verdict>;
}

/** The parts of the config that decide how documents are sealed and checked. */
export interface TrustSettings {
  signing?: { publicKey: string; keyFile?: string | undefined } | undefined;
  /** The encryption passphrase, when the config has one and it is set. */
  passphrase?: string | undefined;
  /** Reads the armored private signing key (only called when sealing with a key). */
  readPrivateKey?: (keyFile: string) => Promise<string>;
}

const MAC_HEADER = 'drc-mac/1 hmac-sha256';
const PGP_SIGNATURE = '-----BEGIN PGP SIGNATURE-----';

/** Builds the trust from settings; the public key is parsed (and refused when unusable) at once. */
export async function createDocumentTrust(settings: TrustSettings): Promise<DocumentTrust> {
  const publicKey = settings.signing ? await readPinnedPublicKey(settings.signing.publicKey) : undefined;
  const macKey = settings.passphrase ? deriveMacKey(settings.passphrase) : undefined;
  let privateKey: openpgp.PrivateKey | undefined;

  const loadPrivateKey = async (): Promise<openpgp.PrivateKey> => {
    if (privateKey) return privateKey;
    const keyFile = settings.signing?.keyFile;
    if (!keyFile || !settings.readPrivateKey) {
      throw new DrcError('cannot sign: config.signing names no keyFile (the private signing key)', {
        hint: 'copy the signing key file from the backup host and name it in signing.keyFile, or run "drc init" on the backup host',
      });
    }
    const armored = await settings.readPrivateKey(keyFile);
    let key: openpgp.PrivateKey;
    try {
      key = await openpgp.readPrivateKey({ armoredKey: armored });
    } catch (error) {
      throw new DrcError(`signing.keyFile ${keyFile}: not an OpenPGP private key (${errorMessage(error)})`);
    }
    if (key.getFingerprint() !== publicKey!.getFingerprint()) {
      throw new DrcError(`signing.keyFile ${keyFile} holds key ${fingerprintOf(key)}, but config.signing.publicKey pins ${fingerprintOf(publicKey!)}`, {
        hint: 'name the matching key file, or pin its public key (drc prints it at init)',
      });
    }
    privateKey = key;
    return key;
  };

  return {
    sealsWith: publicKey ? `OpenPGP key ${fingerprintOf(publicKey)}` : macKey ? 'passphrase MAC' : 'nothing',

    async seal(bytes) {
      if (publicKey) {
        const signature = await openpgp.sign({
          message: await openpgp.createMessage({ binary: bytes }),
          signingKeys: await loadPrivateKey(),
          detached: true,
          format: 'armored',
        });
        return { suffix: '.sig', content: signature };
      }
      if (macKey) return { suffix: '.mac', content: `${MAC_HEADER} ${computeMac(macKey, bytes)}\n` };
      throw new DrcError('cannot authenticate what drc writes: the config has neither a signing key nor a passphrase', {
        hint: 'run "drc init" to create a signing key (config "signing"), or add encryption.passphraseEnv',
      });
    },

    async verify(bytes, sealContent) {
      const text = sealContent.trim();
      if (text.startsWith(PGP_SIGNATURE)) {
        if (!publicKey) return refused('it is signed with an OpenPGP key, but the config pins no signing key (config.signing.publicKey)');
        return verifySignature(publicKey, bytes, text);
      }
      if (text.startsWith(MAC_HEADER)) {
        if (publicKey) return refused(`it carries only a passphrase MAC, but the config pins signing key ${fingerprintOf(publicKey)}: a MAC is not accepted in place of a signature`);
        if (!macKey) return refused('it carries a passphrase MAC, but the encryption passphrase is not set here to check it (export it, e.g. DRC_PASSPHRASE)');
        const expected = Buffer.from(computeMac(macKey, bytes), 'hex');
        const given = Buffer.from(text.slice(MAC_HEADER.length).trim(), 'hex');
        return given.length === expected.length && timingSafeEqual(given, expected)
          ? { ok: true, by: 'passphrase MAC' }
          : refused('the passphrase MAC does not match: the passphrase set here is not the one it was written with (wrong passphrase?), or the document was changed');
      }
      return refused('the seal is neither an OpenPGP signature nor a drc MAC');
    },
  };
}

/**
 * Reads the seal files beside a document (strongest first) and checks them. `readSeal` returns
 * undefined when that seal file does not exist. Any seal present must verify: a bad `.sig` is
 * never rescued by a `.mac`.
 */
export async function verifySealedDocument(
  trust: DocumentTrust,
  bytes: Uint8Array,
  readSeal: (suffix: SealSuffix) => Promise<Buffer | string | undefined>,
): Promise<Verdict> {
  const found: Array<{ suffix: SealSuffix; content: string }> = [];
  for (const suffix of SEAL_SUFFIXES) {
    const content = await readSeal(suffix);
    if (content !== undefined) found.push({ suffix, content: content.toString() });
  }
  if (!found.length) return { ok: false, unsealed: true, reason: `it has no seal (${SEAL_SUFFIXES.join(' or ')} beside it)` };
  let accepted: Verdict | undefined;
  for (const { suffix, content } of found) {
    const verdict = await trust.verify(bytes, content);
    if (verdict.ok) accepted ??= verdict;
    else if (suffix === '.sig' || !accepted) return { ok: false, unsealed: false, reason: `${suffix.slice(1)} seal: ${verdict.reason}` };
  }
  return accepted!;
}

/** The armored public key pinned in config, refused unless GnuPG 2.2 can verify its signatures. */
export async function readPinnedPublicKey(armored: string): Promise<openpgp.PublicKey> {
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey: armored });
  } catch (error) {
    throw new DrcError(`config.signing.publicKey is not an armored OpenPGP public key (${errorMessage(error)})`, {
      hint: 'paste the block "drc init" printed, from -----BEGIN PGP PUBLIC KEY BLOCK----- to its END line',
    });
  }
  if (key.isPrivate()) throw new DrcError('config.signing.publicKey holds a PRIVATE key', { hint: 'pin only the public half; the private key belongs in signing.keyFile' });
  if (key.keyPacket.version !== 4) throw new DrcError(`config.signing.publicKey is a v${key.keyPacket.version} key; GnuPG 2.2 needs v4 keys`);
  return key as openpgp.PublicKey;
}

/** "3EAE14AC688D080F00A92CD58E1A8DCD9A8E6041": how GnuPG prints a fingerprint. */
export function fingerprintOf(key: openpgp.Key): string {
  return key.getFingerprint().toUpperCase();
}

async function verifySignature(publicKey: openpgp.PublicKey, bytes: Uint8Array, armoredSignature: string): Promise<Verdict> {
  try {
    const { signatures } = await openpgp.verify({
      message: await openpgp.createMessage({ binary: bytes }),
      signature: await openpgp.readSignature({ armoredSignature }),
      verificationKeys: publicKey,
      expectSigned: true,
    });
    await signatures[0]!.verified;
    return { ok: true, by: `OpenPGP key ${fingerprintOf(publicKey)}` };
  } catch (error) {
    return refused(`the OpenPGP signature does not verify with pinned key ${fingerprintOf(publicKey)} (${errorMessage(error)})`);
  }
}

const MAC_SALT = 'drc document seal/1';
const derived = new Map<string, Buffer>();

/**
 * The MAC key: scrypt first, so a stolen seal is no faster an oracle for guessing the
 * passphrase than the OpenPGP S2K of the encrypted items; then HKDF to a key used only for
 * seals. Cached per process: one scrypt per command, not per document.
 */
export function deriveMacKey(passphrase: string): Buffer {
  const cached = derived.get(passphrase);
  if (cached) return cached;
  const stretched = scryptSync(passphrase, MAC_SALT, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  const key = Buffer.from(hkdfSync('sha256', stretched, Buffer.from(MAC_SALT), Buffer.from('drc document MAC key'), 32));
  derived.set(passphrase, key);
  return key;
}

function computeMac(key: Buffer, bytes: Uint8Array): string {
  return createHmac('sha256', key).update(bytes).digest('hex');
}

function refused(reason: string): Verdict {
  return { ok: false, unsealed: false, reason };
}

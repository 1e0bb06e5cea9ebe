import { execa } from 'execa';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDocumentTrust, verifySealedDocument, type DocumentTrust, type Seal } from '../../src/trust/authenticate.js';
import { readSigningKeyFile } from '../../src/trust/load-trust.js';
import { createSigningKey } from '../../src/trust/signing-key.js';
import { makeTempDir } from '../helpers/tmp.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function signingTrust(dir: string, name = 'key.asc'): Promise<{ trust: DocumentTrust; publicKey: string; keyFile: string; fingerprint: string }> {
  const created = await createSigningKey(path.join(dir, name), 'web1');
  const trust = await createDocumentTrust({ signing: { publicKey: created.publicKey, keyFile: created.keyFile }, readPrivateKey: readSigningKeyFile });
  return { trust, ...created };
}

const document = Buffer.from('{"format":"drc-backup-set/1","items":[]}\n');

describe('document seals (src/trust/authenticate.ts)', () => {
  it('signs with the init key: the signature verifies in drc and with gpg --verify by hand, and a changed byte is refused', async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const { trust, publicKey, keyFile, fingerprint } = await signingTrust(temp.dir);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const seal = await trust.seal(document);
    expect(seal.suffix).toBe('.sig');
    expect(seal.content).toContain('-----BEGIN PGP SIGNATURE-----');
    expect(await trust.verify(document, seal.content)).toEqual({ ok: true, by: `OpenPGP key ${fingerprint}` });
    const changed = Buffer.from(document.toString().replace('[]', '[{}]'));
    expect(await trust.verify(changed, seal.content)).toMatchObject({ ok: false, reason: expect.stringContaining('does not verify') });

    // By hand, as RESTORE.md says: import the pinned public key, then gpg --verify.
    const gnupgHome = path.join(temp.dir, 'gnupg');
    await mkdir(gnupgHome, { mode: 0o700 });
    await writeFile(path.join(temp.dir, 'manifest.json'), document);
    await writeFile(path.join(temp.dir, 'manifest.json.sig'), seal.content);
    await writeFile(path.join(temp.dir, 'signing.pub.asc'), publicKey);
    const env = { GNUPGHOME: gnupgHome };
    await execa('gpg', ['--batch', '--import', 'signing.pub.asc'], { cwd: temp.dir, env });
    const good = await execa('gpg', ['--batch', '--verify', 'manifest.json.sig', 'manifest.json'], { cwd: temp.dir, env, reject: false });
    expect(good.exitCode).toBe(0);
    expect(good.stderr).toContain('Good signature');
    expect(good.stderr).toContain(fingerprint);
    await writeFile(path.join(temp.dir, 'manifest.json'), changed);
    const bad = await execa('gpg', ['--batch', '--verify', 'manifest.json.sig', 'manifest.json'], { cwd: temp.dir, env, reject: false });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('BAD signature');
  });

  it('refuses a signature made by any other key, and a MAC in place of a signature when a key is pinned', async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const pinned = await signingTrust(temp.dir, 'pinned.asc');
    const attacker = await signingTrust(temp.dir, 'attacker.asc');
    const forged = await attacker.trust.seal(document);
    expect(await pinned.trust.verify(document, forged.content)).toMatchObject({ ok: false, reason: expect.stringContaining(pinned.fingerprint) });
    const withPassphrase = await createDocumentTrust({ passphrase: 'known to the attacker' });
    const mac = await withPassphrase.seal(document);
    expect(await pinned.trust.verify(document, mac.content)).toMatchObject({ ok: false, reason: expect.stringContaining('not accepted in place of a signature') });
  });

  it('seals passphrase-only configs with a MAC that another passphrase or a changed byte does not match', async () => {
    const trust = await createDocumentTrust({ passphrase: 'correct horse battery' });
    const seal: Seal = await trust.seal(document);
    expect(seal.suffix).toBe('.mac');
    expect(seal.content).toMatch(/^drc-mac\/1 hmac-sha256 [0-9a-f]{64}\n$/);
    expect(await trust.verify(document, seal.content)).toEqual({ ok: true, by: 'passphrase MAC' });
    expect(await trust.verify(Buffer.concat([document, Buffer.from(' ')]), seal.content)).toMatchObject({ ok: false });
    const other = await createDocumentTrust({ passphrase: 'another passphrase' });
    expect(await other.verify(document, seal.content)).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
    const none = await createDocumentTrust({});
    await expect(none.seal(document)).rejects.toThrow(/neither a signing key nor a passphrase/);
  });

  it('tells a missing seal (unsealed) from a bad one, and never lets a good MAC rescue a bad signature', async () => {
    const trust = await createDocumentTrust({ passphrase: 'correct horse battery' });
    const seal = await trust.seal(document);
    const files = new Map<string, string>();
    const read = async (suffix: string) => files.get(suffix);
    expect(await verifySealedDocument(trust, document, read)).toMatchObject({ ok: false, unsealed: true });
    files.set('.mac', seal.content);
    expect(await verifySealedDocument(trust, document, read)).toEqual({ ok: true, by: 'passphrase MAC' });
    files.set('.sig', '-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n');
    expect(await verifySealedDocument(trust, document, read)).toMatchObject({ ok: false, unsealed: false, reason: expect.stringMatching(/^sig seal: /) });
  });

  it('refuses a signing key file others can read, and never overwrites an existing key', async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const { keyFile } = await signingTrust(temp.dir);
    await expect(createSigningKey(keyFile, 'web1')).rejects.toThrow(/refusing to replace a signing key/);
    await execa('chmod', ['644', keyFile]);
    await expect(readSigningKeyFile(keyFile)).rejects.toThrow(/readable by others/);
  });
});

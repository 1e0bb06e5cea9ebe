import { execa } from 'execa';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TestGpgKey {
  /** A private GNUPGHOME holding the secret key (as an operator's workstation would). */
  gnupgHome: string;
  publicKeyFile: string;
  secretKeyFile: string;
  fingerprint: string;
}

/** A real GnuPG key pair (ed25519 + cv25519, no passphrase) in a fresh GNUPGHOME under `parentDir` (pass the test's temp folder so it is cleaned up with it). */
export async function createGpgKey(name = 'DR Ops', parentDir = os.tmpdir()): Promise<TestGpgKey> {
  const gnupgHome = await mkdtemp(path.join(parentDir, 'drc-gpg-'));
  const env = { GNUPGHOME: gnupgHome };
  await execa('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', `${name} <ops@example.test>`, 'ed25519', 'sign', 'never'], { env });
  const { stdout } = await execa('gpg', ['--batch', '--with-colons', '--list-keys'], { env });
  const fingerprint = stdout.split('\n').find((line) => line.startsWith('fpr:'))!.split(':')[9]!;
  await execa('gpg', ['--batch', '--passphrase', '', '--quick-add-key', fingerprint, 'cv25519', 'encr', 'never'], { env });
  const publicKeyFile = path.join(gnupgHome, 'ops.pub.asc');
  const secretKeyFile = path.join(gnupgHome, 'ops.sec.asc');
  await writeFile(publicKeyFile, (await execa('gpg', ['--batch', '--armor', '--export', fingerprint], { env })).stdout);
  await writeFile(secretKeyFile, (await execa('gpg', ['--batch', '--armor', '--pinentry-mode', 'loopback', '--passphrase', '', '--export-secret-keys', fingerprint], { env })).stdout);
  return { gnupgHome, publicKeyFile, secretKeyFile, fingerprint };
}

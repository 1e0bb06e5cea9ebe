import path from 'node:path';
import { createSigningKey } from '../../src/trust/signing-key.js';

/** A real signing key in `dir` (as `drc init` creates it) and the config section that pins it. */
export async function makeSigningConfig(dir: string): Promise<{ publicKey: string; keyFile: string; fingerprint: string }> {
  const key = await createSigningKey(path.join(dir, 'signing-key.asc'), 'test-host');
  return { publicKey: key.publicKey, keyFile: key.keyFile, fingerprint: key.fingerprint };
}

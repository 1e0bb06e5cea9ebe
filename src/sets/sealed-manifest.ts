import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import { verifySealedDocument, type DocumentTrust, type Verdict } from '../trust/authenticate.js';
import { loadDocumentTrust } from '../trust/load-trust.js';
import type { Target } from '../storage/types.js';
import { MANIFEST_FILE, parseManifest, type Manifest } from './manifest.js';

/**
 * How a command trusts the manifests it reads. Every manifest is checked against its seal
 * (manifest.json.sig or .mac, see src/trust/authenticate.ts) before drc acts on it.
 *
 * Sets written before drc sealed manifests have no seal. Removing a seal must not turn a forged
 * set into an acceptable "old" one, so an unsealed set is treated as legacy only when it is
 * older than the first sealed set this host has written or seen (recorded in the state folder,
 * which an attacker with only bucket access cannot touch) and than the oldest sealed set on the
 * same target; a newer unsealed set is refused like a forged one. Even a legacy set is acted
 * on (restore, verify, drill) only with --allow-unsigned, and then with a loud warning.
 */
export interface SetTrust {
  documents: DocumentTrust;
  /** --allow-unsigned: legacy (pre-signing) sets may be acted on, with a warning. */
  allowUnsealed: boolean;
  stateDir: string;
}

export async function loadSetTrust(config: Config, stateDir: string, options: { allowUnsealed?: boolean | undefined } = {}): Promise<SetTrust> {
  return { documents: await loadDocumentTrust(config), allowUnsealed: options.allowUnsealed ?? false, stateDir };
}

/** A manifest as read from a target, with what its seal said. */
export type ReadManifest =
  | { kind: 'sealed'; manifest: Manifest; bytes: Buffer; by: string }
  /** No seal: legacy when older than the first sealed set, otherwise refused by the caller. */
  | { kind: 'unsealed'; manifest: Manifest; bytes: Buffer; reason: string }
  | { kind: 'refused'; reason: string };

/**
 * Reads manifest.json and its seal once and checks the seal against exactly the bytes that are
 * then parsed (schema and name confinement included). Missing manifest: undefined.
 */
export async function readSealedManifest(target: Target, setId: string, trust: SetTrust): Promise<ReadManifest | undefined> {
  const bytes = await target.readFile(setId, MANIFEST_FILE);
  if (!bytes) return undefined;
  const verdict: Verdict = await verifySealedDocument(trust.documents, bytes, (suffix) => target.readFile(setId, `${MANIFEST_FILE}${suffix}`));
  if (!verdict.ok && !verdict.unsealed) return { kind: 'refused', reason: `${MANIFEST_FILE} is not authentic: ${verdict.reason}` };
  let manifest: Manifest;
  try {
    manifest = parseManifest(bytes.toString('utf8'), `${target.name}:${setId}`);
  } catch (error) {
    return { kind: 'refused', reason: (error as Error).message };
  }
  if (manifest.set !== setId) return { kind: 'refused', reason: `${MANIFEST_FILE} describes set ${manifest.set}, not ${setId}: it was copied from another set` };
  if (verdict.ok) return { kind: 'sealed', manifest, bytes, by: verdict.by };
  return { kind: 'unsealed', manifest, bytes, reason: verdict.reason };
}

const trustStateSchema = z.object({ firstSealedSet: z.string().optional() });
const TRUST_STATE_FILE = 'trust.json';

/** The first (oldest) sealed set this host wrote or saw; unsealed sets newer than it are refused. */
export async function readFirstSealedSet(stateDir: string): Promise<string | undefined> {
  try {
    const parsed = trustStateSchema.safeParse(JSON.parse(await readFile(path.join(stateDir, TRUST_STATE_FILE), 'utf8')));
    return parsed.success ? parsed.data.firstSealedSet : undefined;
  } catch {
    return undefined;
  }
}

/** Records `setId` as the first sealed set when it is older than the one recorded (or none is). */
export async function recordSealedSet(stateDir: string, setId: string): Promise<void> {
  const current = await readFirstSealedSet(stateDir);
  if (current && current <= setId) return;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = path.join(stateDir, TRUST_STATE_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify({ firstSealedSet: setId }) + '\n', { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

import { pipeline } from 'node:stream/promises';
import { DrcError } from '../errors.js';
import { throttledProgress, type Emit } from '../events.js';
import { HashingTap } from '../pipeline/tap.js';
import { loadCatalog } from '../sets/catalog.js';
import { MANIFEST_FILE, RESTORE_DOC_FILE, SUMS_FILE } from '../sets/manifest.js';
import { readSealedManifest, type SetTrust } from '../sets/sealed-manifest.js';
import { parseSums } from '../sets/sums.js';
import type { Target } from '../storage/types.js';
import { SEAL_SUFFIXES } from '../trust/authenticate.js';

/**
 * Copies a finished set from one target to another, streaming each file and checking its
 * sha256 against the manifest on the way. Only a manifest whose seal verifies is copied (the
 * very bytes that were verified, with their seal), its schema and file names enforced like on
 * every other read path; manifest.json goes last, so the copy becomes visible only when whole.
 */
export async function replicateSet(from: Target, to: Target, setId: string, trust: SetTrust, emit: Emit): Promise<void> {
  const read = await readSealedManifest(from, setId, trust);
  const sumsText = await from.readFile(setId, SUMS_FILE);
  if (!read || !sumsText) throw new DrcError(`${from.name}:${setId} has no manifest or SHA256SUMS to copy`);
  if (read.kind !== 'sealed') {
    throw new DrcError(`${from.name}:${setId}: ${read.kind === 'refused' ? read.reason : `manifest.json is not authentic: ${read.reason}`}; not copied to ${to.name}`, {
      hint: `run "drc verify ${setId} --target ${from.name}"`,
    });
  }
  const { manifest, bytes: manifestBytes } = read;
  const sums = parseSums(sumsText.toString('utf8'));
  const started = Date.now();
  const task = `${to.name}:${setId}`;
  emit({ type: 'task-started', task, phase: 'upload', detail: `from ${from.name}` });
  let copied = 0;
  for (const item of manifest.items) {
    const { stream, bytes } = await from.openRead(setId, item.file);
    const progress = throttledProgress(emit, task, 'upload', 250, bytes);
    const tap = new HashingTap({ onProgress: (n) => progress(n) });
    const writer = await to.createItemWriter(setId, item.file, bytes);
    try {
      await pipeline(stream, tap, writer.stream);
      if (tap.sha256() !== item.sha256 || tap.sha256() !== sums.get(item.file)) {
        throw new DrcError(`${from.name}:${setId}/${item.file} does not match its manifest and SHA256SUMS; not copied to ${to.name}`, {
          hint: `run "drc verify ${setId} --target ${from.name}"`,
        });
      }
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    copied += bytes;
  }
  const doc = await from.readFile(setId, RESTORE_DOC_FILE);
  if (doc) await to.writeFile(setId, RESTORE_DOC_FILE, doc);
  await to.writeFile(setId, SUMS_FILE, sumsText);
  for (const suffix of SEAL_SUFFIXES) {
    const seal = await from.readFile(setId, `${MANIFEST_FILE}${suffix}`);
    if (seal) await to.writeFile(setId, `${MANIFEST_FILE}${suffix}`, seal);
  }
  await to.writeFile(setId, MANIFEST_FILE, manifestBytes);
  emit({ type: 'task-finished', task, phase: 'upload', ok: true, bytes: copied, elapsedMs: Date.now() - started });
}

/**
 * The sets `to` is missing that are newer than the newest it has (all of them when it has
 * none): what an earlier run could not upload. Older gaps are left to each target's retention.
 * Only sealed sets are candidates: an unsigned or forged set is never spread to other targets.
 */
export async function findMissingSets(from: Target, to: Target, trust: SetTrust): Promise<string[]> {
  const have = await loadCatalog(to, trust);
  const haveIds = new Set(have.map((entry) => entry.id));
  const newest = have[0]?.id;
  return (await loadCatalog(from, trust))
    .filter((entry) => entry.manifest && !entry.legacy && !haveIds.has(entry.id) && (!newest || entry.id > newest))
    .map((entry) => entry.id)
    .reverse();
}

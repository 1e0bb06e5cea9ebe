import { errorMessage } from '../errors.js';
import { throttledProgress, type Emit } from '../events.js';
import { hashStoredCopy } from '../restore/item-reader.js';
import type { SetCopy } from '../restore/resolve-set.js';
import { RESTORE_DOC_FILE, SUMS_FILE } from '../sets/manifest.js';
import { parseSums } from '../sets/sums.js';

/**
 * One target's copy of a set, checked the way `sha256sum -c SHA256SUMS` would, plus what only
 * the manifest knows: every item is listed, with the same hash and the stored size.
 * Returns the problems found (empty: the copy is intact).
 */
export async function checkStoredCopy(copy: SetCopy, setId: string, emit: Emit, signal?: AbortSignal): Promise<string[]> {
  const { target, manifest } = copy;
  const problems: string[] = [];
  const sumsText = await target.readFile(setId, SUMS_FILE).catch((error: unknown) => {
    problems.push(`${SUMS_FILE}: cannot read it (${errorMessage(error)})`);
    return undefined;
  });
  if (!sumsText && !problems.length) problems.push(`${SUMS_FILE} is missing`);
  const sums = sumsText ? parseSums(sumsText.toString('utf8')) : new Map<string, string>();
  if (!(await target.readFile(setId, RESTORE_DOC_FILE).catch(() => undefined))) problems.push(`${RESTORE_DOC_FILE} is missing`);
  for (const file of sums.keys()) {
    if (!manifest.items.some((item) => item.file === file)) problems.push(`${SUMS_FILE} lists ${file}, which the manifest does not know`);
  }
  for (const item of manifest.items) {
    if (signal?.aborted) break;
    const listed = sums.get(item.file);
    if (sumsText && !listed) problems.push(`${item.file}: not listed in ${SUMS_FILE}`);
    else if (listed && listed !== item.sha256) problems.push(`${item.file}: ${SUMS_FILE} and manifest.json disagree on its sha256`);
    const task = `${item.source}@${target.name}`;
    const started = Date.now();
    emit({ type: 'task-started', task, phase: 'verify', detail: target.describeFile(setId, item.file), totalBytes: item.storedBytes });
    const progress = throttledProgress(emit, task, 'verify', 250, item.storedBytes);
    let problem: string | undefined;
    try {
      const stored = await hashStoredCopy(target, setId, item.file, (bytes) => progress(bytes));
      if (stored.bytes !== item.storedBytes) problem = `${item.file}: ${stored.bytes} bytes stored, the manifest says ${item.storedBytes}`;
      else if (stored.sha256 !== item.sha256) problem = `${item.file}: sha256 ${stored.sha256.slice(0, 12)}… does not match ${item.sha256.slice(0, 12)}…: the file is damaged`;
    } catch (error) {
      problem = `${item.file}: cannot read it (${errorMessage(error)})`;
    }
    if (problem) problems.push(problem);
    emit({ type: 'task-finished', task, phase: 'verify', ok: !problem, bytes: item.storedBytes, elapsedMs: Date.now() - started, ...(problem ? { detail: problem } : { detail: 'sha256 OK' }) });
  }
  return problems;
}

import { lstat, mkdir, readdir, realpath, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DrcError } from '../errors.js';
import { throttledProgress, type Emit } from '../events.js';
import type { ManifestItem } from '../sets/manifest.js';
import { confineRelativePath } from '../trust/confine.js';
import type { DecryptionKeys } from './decrypt.js';
import { feedTool } from './feed-tool.js';
import { withGoodCopy } from './good-copy.js';
import { restoreStamp } from './names.js';
import type { ResolvedSet } from './resolve-set.js';

export interface FilesRestoreOptions {
  resolved: ResolvedSet;
  item: ManifestItem;
  keys: DecryptionKeys;
  emit: Emit;
  time: Date;
  /** A folder to extract into (the archived paths appear below it); default: beside each original. */
  into?: string | undefined;
  /**
   * Where each archived path goes, instead of `into` or beside the original (restore --all puts
   * them back in place). A destination may be an empty folder: the restored one replaces it.
   */
  plan?: Array<{ from: string; to: string }> | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Where each archived path will land: `<path>.restored-<stamp>` beside the original, or below
 * --into. `from` is the path inside the archive, re-rooted and confined (no "..") the way tar
 * re-roots member names, so it can only ever name something inside the staging folder.
 */
export function planFilesRestore(item: ManifestItem, time: Date, into?: string): Array<{ from: string; to: string }> {
  const paths = item.paths ?? [];
  return paths.map((original) => {
    const inside = confineRelativePath(original, `set item ${item.source}: archived path`);
    return { from: inside, to: into ? path.join(into, inside) : `/${inside}.restored-${restoreStamp(time)}` };
  });
}

/**
 * Extracts into a fresh staging folder (modes, owners when root, symlinks preserved), checks
 * the archive in full, and only then moves each restored path into place. The originals are
 * never written to; a failure leaves nothing but the removed staging folder.
 */
export async function restoreFiles(options: FilesRestoreOptions): Promise<{ restoredInto: string[] }> {
  const { item, emit } = options;
  const plan = options.plan ?? planFilesRestore(item, options.time, options.into);
  if (!plan.length) throw new DrcError(`set ${options.resolved.id}: ${item.source} lists no archived paths in its manifest`);
  for (const entry of plan) {
    if ((await stat(entry.to).catch(() => undefined)) && !(options.plan && (await isEmptyFolder(entry.to)))) {
      throw new DrcError(`${entry.to} already exists; refusing to write into it`, { hint: 'pass --into an empty or new folder' });
    }
  }
  const anchor = options.into ?? path.dirname(plan[0]!.to);
  await mkdir(anchor, { recursive: true });
  const staging = path.join(anchor, `.drc-restore-${restoreStamp(options.time)}-${process.pid}`);
  const started = Date.now();
  emit({ type: 'task-started', task: item.source, phase: 'restore', detail: `${item.file} → ${plan.map((entry) => entry.to).join(', ')}`, totalBytes: item.storedBytes });
  const progress = throttledProgress(emit, item.source, 'restore', 250, item.storedBytes);
  const args = ['--extract', '--file=-', `--directory=${staging}`, '--preserve-permissions', ...(process.getuid?.() === 0 ? ['--same-owner'] : [])];
  try {
    await withGoodCopy({
      resolved: options.resolved,
      item,
      keys: options.keys,
      emit,
      onProgress: (bytes) => progress(bytes),
      ...(options.signal ? { signal: options.signal } : {}),
      forTool: true,
      attempt: async (input) => {
        await mkdir(staging, { mode: 0o700 });
        await feedTool(input, 'tar', args, {}, `${item.source}: extract`);
      },
      undo: () => rm(staging, { recursive: true, force: true }),
    });
    for (const entry of plan) await checkInsideStaging(staging, entry.from);
    for (const entry of plan) {
      await mkdir(path.dirname(entry.to), { recursive: true });
      await rename(path.join(staging, entry.from), entry.to);
    }
    await removeEmptyTree(staging);
    progress(item.storedBytes, true);
    emit({ type: 'task-finished', task: item.source, phase: 'restore', ok: true, bytes: item.storedBytes, elapsedMs: Date.now() - started });
    return { restoredInto: plan.map((entry) => entry.to) };
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    emit({ type: 'task-finished', task: item.source, phase: 'restore', ok: false, elapsedMs: Date.now() - started, detail: (error as Error).message });
    throw error;
  }
}

/** A folder with nothing in it: restoring over it loses nothing. */
export async function isEmptyFolder(dir: string): Promise<boolean> {
  const info = await stat(dir).catch(() => undefined);
  return Boolean(info?.isDirectory()) && (await readdir(dir)).length === 0;
}

/**
 * A path in the staging folder whose parents are real folders there: an archive that made one
 * of them a symlink (to "/" or elsewhere) would otherwise have the rename move a live folder.
 */
async function checkInsideStaging(staging: string, inside: string): Promise<void> {
  const root = await realpath(staging);
  const parent = await realpath(path.dirname(path.join(staging, inside))).catch(() => undefined);
  const expected = path.dirname(path.join(root, inside));
  const info = await lstat(path.join(staging, inside)).catch(() => undefined);
  if (parent !== expected || !info) {
    throw new DrcError(`the archive does not hold ${inside} as a path inside the restore folder${parent && parent !== expected ? ` (a parent resolves to ${parent})` : ''}; nothing was moved into place`, {
      hint: 'the archive is not what drc wrote: restore from another set, and find out who changed this one',
    });
  }
}

/** The staging folder is left with the (now empty) parents of the moved paths. */
async function removeEmptyTree(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const child = path.join(dir, name);
    if ((await stat(child)).isDirectory()) await removeEmptyTree(child);
  }
  await rmdir(dir).catch(() => {});
}


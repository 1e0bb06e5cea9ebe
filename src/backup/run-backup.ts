import type { Config, SourceConfig } from '../config/schema.js';
import { DrcError, EXIT, errorMessage, type ExitCode } from '../errors.js';
import type { Emit } from '../events.js';
import { chooseCompression } from '../pipeline/compress.js';
import { loadEncryption } from '../pipeline/encryption.js';
import { backupItem } from '../pipeline/backup-item.js';
import { MANIFEST_FILE, MANIFEST_FORMAT, RESTORE_DOC_FILE, SUMS_FILE, type Manifest, type ManifestItem } from '../sets/manifest.js';
import { renderRestoreDoc } from '../sets/restore-doc.js';
import { hostName, makeSetId } from '../sets/set-id.js';
import { formatSums } from '../sets/sums.js';
import { createSource } from '../sources/index.js';
import { createConfigSource, createSystemSource } from '../sources/meta.js';
import { CONFIG_ITEM } from '../sets/meta-items.js';
import { openTargets, selectByName } from '../storage/open-targets.js';
import type { Target } from '../storage/types.js';
import { appendHistory } from '../state/history.js';
import { DRC_VERSION } from '../version.js';
import { detectShrunkItems } from '../notify/shrink.js';
import { loadCatalog, type CatalogEntry } from '../sets/catalog.js';
import { loadSetTrust, recordSealedSet } from '../sets/sealed-manifest.js';
import { createBaseBackupSource } from '../pitr/postgres/base-backup.js';
import { isBaseBackupDue, isPitrSource } from '../pitr/postgres/schedule.js';
import type { BackupSource } from '../sources/types.js';
import { removeDebris } from './debris.js';
import { acquireLock, type Lock } from '../state/lock.js';
import { findMissingSets, replicateSet } from './replicate.js';

export interface BackupOptions {
  config: Config;
  stateDir: string;
  sources?: string[];
  targets?: string[];
  emit: Emit;
  signal?: AbortSignal;
  now?: () => Date;
  /** Take a base backup of every `pitr` source now, whatever its schedule says. */
  baseBackup?: boolean;
}

export interface BackupOutcome {
  setId?: string;
  /** refused: another backup held the lock, or the selection or targets were invalid; nothing was tried. */
  status: 'complete' | 'partial' | 'failed' | 'refused';
  exitCode: ExitCode;
  /** Why a refused or failed run produced nothing, when no source or target says it. */
  error?: string;
  manifest?: Manifest;
  failedSources: Array<{ source: string; error: string }>;
  failedTargets: Array<{ target: string; error: string }>;
  storedOn: string[];
  /** Items much smaller than the same source's previous item, or missing tables it had. */
  warnings: string[];
}

/**
 * One backup set of the selected sources. Written in full to the first reachable local
 * target (the primary) and then copied to every other target, so an unreachable S3 never
 * costs the local set. Exit: 0 all good; 1 set written but a target missed it; 2 a source
 * failed (set marked partial) or nothing usable was produced.
 */
export async function runBackup(options: BackupOptions): Promise<BackupOutcome> {
  const { config, stateDir, emit } = options;
  const now = options.now ?? (() => new Date());
  const signal = options.signal ?? new AbortController().signal;
  const started = now();
  const outcome: BackupOutcome = { status: 'refused', exitCode: EXIT.critical, failedSources: [], failedTargets: [], storedOn: [], warnings: [] };
  let lock: Lock | undefined;
  try {
    const sourceConfigs = selectByName(config.sources, options.sources, 'source');
    const targets = await openTargets(config, options.targets);
    lock = await acquireLock(stateDir, 'backup', 'drc backup');
    outcome.status = 'failed';
    const host = hostName();
    const reachable = await checkTargets(targets, outcome, emit);
    const primary = reachable.find((target) => target.type === 'local') ?? reachable[0];
    if (!primary) {
      emit({ type: 'log', level: 'error', message: 'no target is reachable: nothing was backed up' });
      return outcome;
    }
    for (const target of reachable) await removeDebris(target, host, emit, started);
    const encryption = await loadEncryption(config.encryption);
    const trust = await loadSetTrust(config, stateDir);
    // Fails now, before hours of dumping, when the set could not be sealed (no key, key unreadable).
    await trust.documents.seal(Buffer.alloc(0));
    const compression = chooseCompression(config.compressionLevel);
    const catalog = await loadCatalog(primary, trust);
    const previous = catalog.find((entry) => entry.manifest && !entry.legacy)?.manifest;
    const setId = await uniqueSetId(primary, started, host);
    emit({ type: 'log', level: 'info', message: `backup set ${setId}: ${sourceConfigs.length} source(s) → ${primary.name} (${primary.location})` });

    const items: ManifestItem[] = [];
    // Every set also carries the config and the system inventory, so a lost server can be
    // rebuilt from the set alone. They are small and need no database, so they are taken while
    // the first dump runs (their cost hides in its idle time) and join the set after the sources;
    // when they fail the set says so, like a source. Without any source item nothing is kept.
    const metaItems = [createConfigSource(config), createSystemSource(config)].map((meta) =>
      backupItem({ source: meta, setId, target: primary, compression, encryption, emit, signal }).then(
        (item) => ({ item }),
        (error: unknown) => ({ meta, error }),
      ),
    );
    for (const sourceConfig of sourceConfigs) {
      if (signal.aborted) break;
      try {
        for (const source of await createSources(sourceConfig, catalog, Boolean(options.baseBackup), started)) {
          items.push(await backupItem({ source, setId, target: primary, compression, encryption, emit, signal }));
        }
      } catch (error) {
        outcome.failedSources.push({ source: sourceConfig.name, error: errorMessage(error) });
        const hint = error instanceof DrcError ? error.hint : undefined;
        emit({ type: 'log', level: 'error', message: errorMessage(error), ...(hint ? { hint } : {}) });
      }
    }
    for (const result of await Promise.all(metaItems)) {
      if ('item' in result) {
        if (items.length > 0) items.push(result.item);
      } else if (items.length > 0 && !signal.aborted) {
        outcome.failedSources.push({ source: result.meta.name, error: errorMessage(result.error) });
        emit({ type: 'log', level: 'error', message: errorMessage(result.error) });
      }
    }
    if (signal.aborted) {
      // An interrupted run (SIGTERM, Ctrl+C) is not a partial set: the sources it never reached
      // would be missing without a word in the manifest. Nothing of it is kept.
      await primary.removeSet(setId).catch(() => {});
      emit({ type: 'log', level: 'error', message: `backup interrupted: set ${setId} was removed; run drc backup again` });
      return outcome;
    }
    if (items.length === 0) {
      await primary.removeSet(setId).catch(() => {});
      emit({ type: 'log', level: 'error', message: `no source could be backed up: no set was written` });
      return outcome;
    }

    const base = {
      format: MANIFEST_FORMAT,
      set: setId,
      host,
      drcVersion: DRC_VERSION,
      startedAt: started.toISOString(),
      status: outcome.failedSources.length ? 'partial' : 'complete',
      encryption: { passphrase: encryption.passwords.length > 0, recipients: encryption.fingerprints, cipher: 'AES-256' },
      items,
      failures: outcome.failedSources.map((failure) => ({
        source: failure.source,
        type: sourceConfigs.find((entry) => entry.name === failure.source)?.type ?? (failure.source === CONFIG_ITEM ? 'config' : 'system'),
        error: failure.error,
      })),
    } satisfies Omit<Manifest, 'finishedAt'>;
    const restoreDoc = renderRestoreDoc(base, config);
    const manifest: Manifest = { ...base, finishedAt: now().toISOString() };
    try {
      await primary.writeFile(setId, RESTORE_DOC_FILE, restoreDoc);
      await primary.writeFile(setId, SUMS_FILE, formatSums(items.map((item) => ({ file: item.file, sha256: item.sha256 }))));
      const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
      const seal = await trust.documents.seal(manifestBytes);
      await primary.writeFile(setId, `${MANIFEST_FILE}${seal.suffix}`, seal.content);
      await primary.writeFile(setId, MANIFEST_FILE, manifestBytes);
      await recordSealedSet(stateDir, setId).catch(() => {});
    } catch (error) {
      await primary.removeSet(setId).catch(() => {});
      outcome.failedTargets.push({ target: primary.name, error: errorMessage(error) });
      emit({ type: 'log', level: 'error', message: `target ${primary.name}: cannot finish set ${setId} (${errorMessage(error)}); it was removed` });
      return outcome;
    }
    outcome.setId = setId;
    outcome.manifest = manifest;
    outcome.status = manifest.status;
    outcome.storedOn.push(primary.name);
    for (const shrunk of detectShrunkItems(previous, manifest)) {
      outcome.warnings.push(shrunk.message);
      emit({ type: 'log', level: 'warn', message: shrunk.message, hint: 'check that the source did not lose data before relying on this set' });
    }

    for (const target of reachable) {
      if (target === primary) continue;
      try {
        for (const missing of await findMissingSets(primary, target, trust)) await replicateSet(primary, target, missing, trust, emit);
        outcome.storedOn.push(target.name);
      } catch (error) {
        outcome.failedTargets.push({ target: target.name, error: errorMessage(error) });
        emit({ type: 'log', level: 'warn', message: `target ${target.name}: upload failed (${errorMessage(error)}); the next run retries it` });
      }
    }
    outcome.exitCode = outcome.failedSources.length ? EXIT.critical : outcome.failedTargets.length || outcome.warnings.length ? EXIT.warning : EXIT.ok;
    return outcome;
  } catch (error) {
    // Refused before anything was tried (lock held, bad selection): said once, recorded, and
    // ended with a result like every other run.
    outcome.error = errorMessage(error);
    outcome.exitCode = error instanceof DrcError ? error.exitCode : EXIT.critical;
    emit({ type: 'log', level: outcome.exitCode === EXIT.warning ? 'warn' : 'error', message: outcome.error, ...(error instanceof DrcError && error.hint ? { hint: error.hint } : {}) });
    return outcome;
  } finally {
    await lock?.release();
    await recordBackup(stateDir, outcome, started, now());
    emit({
      type: 'result',
      command: 'backup',
      exitCode: outcome.exitCode,
      summary: summarize(outcome),
      data: {
        setId: outcome.setId,
        status: outcome.status,
        storedOn: outcome.storedOn,
        failedSources: outcome.failedSources,
        failedTargets: outcome.failedTargets,
        warnings: outcome.warnings,
      },
    });
  }
}

/** A source's items: its dump, and for a `pitr` source a base backup when one is due (or forced). */
async function createSources(sourceConfig: SourceConfig, catalog: CatalogEntry[], forceBase: boolean, now: Date): Promise<BackupSource[]> {
  const sources = [await createSource(sourceConfig)];
  if (isPitrSource(sourceConfig) && (forceBase || isBaseBackupDue(catalog, sourceConfig, now))) {
    sources.push(createBaseBackupSource(sourceConfig));
  }
  return sources;
}

async function checkTargets(targets: Target[], outcome: BackupOutcome, emit: Emit): Promise<Target[]> {
  const reachable: Target[] = [];
  for (const target of targets) {
    try {
      await target.checkReachable();
      reachable.push(target);
    } catch (error) {
      outcome.failedTargets.push({ target: target.name, error: errorMessage(error) });
      emit({ type: 'log', level: 'warn', message: errorMessage(error) });
    }
  }
  return reachable;
}

/** Two runs in the same second would share a name; wait for the next second instead. */
async function uniqueSetId(primary: Target, started: Date, host: string): Promise<string> {
  const existing = new Set((await primary.listSets()).map((entry) => entry.id));
  let time = started;
  while (existing.has(makeSetId(time, host))) {
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
    time = new Date();
  }
  return makeSetId(time, host);
}

function summarize(outcome: BackupOutcome): string {
  if (outcome.status === 'refused') return `backup REFUSED: ${outcome.error}`;
  if (!outcome.setId) return `backup FAILED: no set written${outcome.failedSources.length ? ` (${outcome.failedSources.map((f) => f.source).join(', ')} failed)` : ''}`;
  const where = outcome.storedOn.join(', ');
  if (outcome.status === 'partial') {
    return `backup PARTIAL: set ${outcome.setId} on ${where}; failed: ${outcome.failedSources.map((f) => f.source).join(', ')}`;
  }
  if (outcome.failedTargets.length) {
    return `backup OK with warnings: set ${outcome.setId} on ${where}; not on ${outcome.failedTargets.map((f) => f.target).join(', ')}`;
  }
  if (outcome.warnings.length) return `backup OK with warnings: set ${outcome.setId} on ${where}; ${outcome.warnings.join('; ')}`;
  return `backup OK: set ${outcome.setId} on ${where}`;
}

async function recordBackup(stateDir: string, outcome: BackupOutcome, started: Date, finished: Date): Promise<void> {
  await appendHistory(stateDir, {
    kind: 'backup',
    at: finished.toISOString(),
    ...(outcome.setId ? { setId: outcome.setId } : {}),
    status: outcome.status,
    exitCode: outcome.exitCode,
    ...(outcome.error ? { error: outcome.error } : {}),
    durationMs: finished.getTime() - started.getTime(),
    sources: [
      ...(outcome.manifest?.items ?? []).map((item) => ({ source: item.source, ok: true, storedBytes: item.storedBytes })),
      ...outcome.failedSources.map((failure) => ({ source: failure.source, ok: false, error: failure.error })),
    ],
    targets: [
      ...outcome.storedOn.map((target) => ({ target, ok: true })),
      ...outcome.failedTargets.map((failure) => ({ target: failure.target, ok: false, error: failure.error })),
    ],
  }).catch(() => {});
}

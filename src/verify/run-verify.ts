import type { Config } from '../config/schema.js';
import { DrcError, EXIT, errorMessage, type ExitCode } from '../errors.js';
import type { Emit } from '../events.js';
import { loadDecryptionKeys } from '../restore/decrypt.js';
import { loadAllCatalogs, resolveSet } from '../restore/resolve-set.js';
import { loadSetTrust } from '../sets/sealed-manifest.js';
import { isPitrSource } from '../pitr/postgres/schedule.js';
import { appendHistory } from '../state/history.js';
import { acquireLock, type Lock } from '../state/lock.js';
import { holdSetForReading } from '../state/set-readers.js';
import { openTargets } from '../storage/open-targets.js';
import { formatDuration } from '../util/duration.js';
import { checkStoredCopy } from './check-copy.js';
import { deepCheckItem } from './deep-check.js';

export interface VerifyOptions {
  config: Config;
  stateDir: string;
  /** 'latest' or a set id. */
  set: string;
  /** Also decrypt, decompress and test-restore every item. */
  deep: boolean;
  /** Only this target's copy. */
  target?: string | undefined;
  /** Private key for sets encrypted only to recipients (default: $DRC_PRIVATE_KEY_FILE). */
  keyFile?: string | undefined;
  /** --allow-unsigned: a legacy set without a seal may be verified (loudly). */
  allowUnsigned?: boolean | undefined;
  emit: Emit;
  signal?: AbortSignal | undefined;
  now?: () => Date;
}

export interface VerifyOutcome {
  exitCode: ExitCode;
  setId: string;
  ok: boolean;
  /** Per target copy: what was wrong with it (empty when intact). */
  copies: Array<{ target: string; ok: boolean; problems: string[] }>;
  /** --deep: problems found decrypting or test-restoring (not tied to one copy). */
  deepProblems: string[];
  durationMs: number;
}

/**
 * Checks every copy of a set byte for byte against SHA256SUMS and the manifest; with `deep`,
 * also proves each item decrypts, decompresses to the recorded plain sha256, and (databases)
 * restores with the recorded row counts. Each copy's result is appended to the verify history.
 */
export async function runVerify(options: VerifyOptions): Promise<VerifyOutcome> {
  const { config, emit } = options;
  const started = (options.now ?? (() => new Date()))();
  const outcome: VerifyOutcome = { exitCode: EXIT.critical, setId: options.set, ok: false, copies: [], deepProblems: [], durationMs: 0 };
  const locks: Lock[] = [];
  try {
    const command = options.deep ? 'drc verify --deep' : 'drc verify';
    if (options.deep) locks.push(await acquireLock(options.stateDir, 'verify-deep', command));
    const targets = await openTargets(config, options.target ? [options.target] : undefined);
    const trust = await loadSetTrust(config, options.stateDir, { allowUnsealed: options.allowUnsigned });
    const held = await holdSetForReading(options.stateDir, command, () => resolveSet(targets, options.set, { trust, emit }), emit);
    locks.push(held.lock);
    const resolved = held.resolved;
    outcome.setId = resolved.id;
    for (const copy of resolved.copies) {
      const problems = await checkStoredCopy(copy, resolved.id, emit, options.signal);
      outcome.copies.push({ target: copy.target.name, ok: problems.length === 0, problems });
      for (const problem of problems) emit({ type: 'log', level: 'error', message: `${copy.target.name}: ${problem}` });
    }
    const missing = targets.filter((target) => !resolved.copies.some((copy) => copy.target === target));
    for (const target of missing) emit({ type: 'log', level: 'warn', message: `target ${target.name} has no copy of set ${resolved.id}` });
    if (options.deep) {
      const keys = await loadDecryptionKeys(config.encryption, resolved.manifest, options.keyFile);
      for (const item of resolved.manifest.items) {
        if (options.signal?.aborted) break;
        const result = await deepCheckItem(config, options.stateDir, resolved, item, keys, emit, started, options.signal);
        outcome.deepProblems.push(...result.problems);
        for (const problem of result.problems) emit({ type: 'log', level: 'error', message: problem });
      }
    }
    if (config.sources.some(isPitrSource)) {
      const { verifyWalChains } = await import('../pitr/postgres/wal-archive.js');
      const catalog = (await loadAllCatalogs(targets, trust, emit)).entries;
      const chainProblems = await verifyWalChains(config, targets, catalog, emit);
      outcome.deepProblems.push(...chainProblems);
      for (const problem of chainProblems) emit({ type: 'log', level: 'error', message: problem });
    }
    outcome.ok = outcome.copies.every((copy) => copy.ok) && outcome.deepProblems.length === 0 && !options.signal?.aborted;
    outcome.exitCode = outcome.ok ? EXIT.ok : EXIT.critical;
  } catch (error) {
    outcome.deepProblems.push(errorMessage(error));
    emit({ type: 'log', level: 'error', message: errorMessage(error), ...(error instanceof DrcError && error.hint ? { hint: error.hint } : {}) });
    if (error instanceof DrcError) outcome.exitCode = error.exitCode;
  } finally {
    for (const lock of locks) await lock.release();
  }
  outcome.durationMs = Date.now() - started.getTime();
  const at = new Date().toISOString();
  for (const copy of outcome.copies) {
    await appendHistory(options.stateDir, {
      kind: 'verify',
      at,
      setId: outcome.setId,
      target: copy.target,
      deep: options.deep,
      ok: copy.ok && outcome.deepProblems.length === 0,
      durationMs: outcome.durationMs,
      problems: [...copy.problems, ...outcome.deepProblems],
    }).catch(() => {});
  }
  emit({ type: 'result', command: 'verify', exitCode: outcome.exitCode, summary: summarize(outcome, options.deep), data: { ...outcome } });
  return outcome;
}

function summarize(outcome: VerifyOutcome, deep: boolean): string {
  const what = deep ? 'verify --deep' : 'verify';
  const where = outcome.copies.map((copy) => `${copy.target} ${copy.ok ? 'OK' : 'DAMAGED'}`).join(', ');
  if (outcome.ok) return `${what} OK: set ${outcome.setId} (${where}) in ${formatDuration(outcome.durationMs)}`;
  const problems = outcome.copies.reduce((sum, copy) => sum + copy.problems.length, 0) + outcome.deepProblems.length;
  return `${what} FAILED: set ${outcome.setId}${where ? ` (${where})` : ''}, ${problems} problem(s)`;
}

import { mkdtemp, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildTimeline, describeGap, loadArchiveTimeline, pushArchiveFile, sequenceOf, writeArchiveDoc, type TimelineFile } from '../archive/index.js';
import { acquireLock, type Lock } from '../state/lock.js';
import type { Config, MysqlSourceConfig } from '../config/schema.js';
import { DrcError, EXIT, errorMessage, type ExitCode } from '../errors.js';
import type { Emit } from '../events.js';
import { chooseCompression, type Compression } from '../pipeline/compress.js';
import { loadEncryption, type EncryptionSettings } from '../pipeline/encryption.js';
import { appendHistory } from '../state/history.js';
import { parseMysqlUrl } from '../sources/db-url.js';
import { connectMysql } from '../sources/mysql.js';
import { readBinlogState } from '../sources/mysql-binlog-state.js';
import { openTargets, selectByName } from '../storage/open-targets.js';
import type { Target } from '../storage/types.js';
import type { DocumentTrust } from '../trust/authenticate.js';
import { loadDocumentTrust } from '../trust/load-trust.js';
import { readBinlogFacts } from './read-facts.js';
import { renderBinlogRestoreDoc } from './restore-doc.js';
import { readFlushMark, writeFlushMark, writtenSince } from './flush-mark.js';
import { fetchServerBinlog, flushBinaryLogs, listServerBinlogs, readGtidPosition } from './server.js';

export interface ArchiveOptions {
  config: Config;
  stateDir: string;
  sources?: string[];
  /** once: one pass (cron); follow: a pass every `intervalMs` until the signal stops it. */
  mode: 'once' | 'follow';
  intervalMs?: number;
  emit: Emit;
  signal?: AbortSignal;
}

export interface SourceArchiveResult {
  source: string;
  status: 'ok' | 'off' | 'busy' | 'failed';
  archived: string[];
  skipped: number;
  /** Gaps in the archive after this pass, in words. */
  gaps: string[];
  /** Targets that missed a file this pass (filled in by the next). */
  targetProblems: string[];
  error?: string;
}

export interface ArchiveOutcome {
  exitCode: ExitCode;
  results: SourceArchiveResult[];
}

/** How often `--follow` closes and ships the current binlog: the RPO it keeps. */
export const DEFAULT_FOLLOW_INTERVAL_MS = 30_000;

/**
 * `drc archive`: ships every closed binary log of each MySQL/MariaDB source that is not yet
 * archived on every target. One archiver per source (a lock in the state folder, held for the
 * whole --follow run). Exit 0 all shipped; 1 a source was skipped (no binary log, another
 * archiver) or a target missed a file; 2 a source failed or the archive has a gap.
 */
export async function runArchive(options: ArchiveOptions): Promise<ArchiveOutcome> {
  const { config, emit } = options;
  const signal = options.signal ?? new AbortController().signal;
  const sources = selectMysqlSources(config, options.sources);
  const targets = await openTargets(config);
  const encryption = await loadEncryption(config.encryption);
  const compression = chooseCompression(config.compressionLevel);
  const trust = await loadDocumentTrust(config);
  const locks = new Map<string, Lock>();
  const busy: SourceArchiveResult[] = [];
  for (const source of sources) {
    try {
      locks.set(source.name, await acquireLock(options.stateDir, `archive-${source.name}`, `drc archive --source ${source.name}`));
    } catch (error) {
      if (!(error instanceof DrcError) || error.exitCode !== EXIT.warning) throw error;
      emit({ type: 'log', level: 'warn', message: `source ${source.name}: ${error.message}; not archived by this run`, ...(error.hint ? { hint: error.hint } : {}) });
      busy.push({ source: source.name, status: 'busy', archived: [], skipped: 0, gaps: [], targetProblems: [], error: error.message });
    }
  }
  try {
    let results: SourceArchiveResult[] = [];
    for (;;) {
      results = [...busy];
      for (const source of sources.filter((candidate) => locks.has(candidate.name))) {
        if (signal.aborted) break;
        results.push(await archiveSource({ ...options, signal }, source, targets, compression, encryption, trust));
      }
      if (options.mode === 'once' || signal.aborted) break;
      await waitOrStop(options.intervalMs ?? DEFAULT_FOLLOW_INTERVAL_MS, signal);
      if (signal.aborted) break;
    }
    const outcome = { exitCode: exitCodeOf(results, signal.aborted), results };
    emit({ type: 'result', command: 'archive', exitCode: outcome.exitCode, summary: summarize(results), data: { results } });
    return outcome;
  } finally {
    for (const lock of locks.values()) await lock.release();
  }
}

function selectMysqlSources(config: Config, names: string[] | undefined): MysqlSourceConfig[] {
  const selected = selectByName(config.sources, names, 'source');
  const notMysql = names?.length ? selected.filter((source) => source.type !== 'mysql') : [];
  if (notMysql.length) {
    throw new DrcError(`drc archive ships MySQL/MariaDB binary logs; ${notMysql.map((source) => `${source.name} is ${source.type}`).join(', ')}`, {
      hint: 'PostgreSQL sources archive their WAL with archive_command = \'drc wal push %p\'',
    });
  }
  const mysqlSources = selected.filter((source): source is MysqlSourceConfig => source.type === 'mysql');
  if (!mysqlSources.length) throw new DrcError('no MySQL/MariaDB source is configured: nothing to archive', { hint: 'add a source of type "mysql"' });
  return mysqlSources;
}

async function archiveSource(
  options: ArchiveOptions & { signal: AbortSignal },
  source: MysqlSourceConfig,
  targets: Target[],
  compression: Compression,
  encryption: EncryptionSettings,
  trust: DocumentTrust,
): Promise<SourceArchiveResult> {
  const { emit } = options;
  const started = Date.now();
  const what = `source ${source.name}`;
  const result: SourceArchiveResult = { source: source.name, status: 'ok', archived: [], skipped: 0, gaps: [], targetProblems: [] };
  const connection = parseMysqlUrl(source);
  let work: string | undefined;
  try {
    const db = await connectMysql(connection, what);
    let closed: string[];
    try {
      const state = await readBinlogState(db);
      if (!state.enabled) {
        result.status = 'off';
        result.error = state.reason!;
        emit({ type: 'log', level: 'warn', message: `${what}: point-in-time recovery is off: ${state.reason}` });
        return result;
      }
      let onServer = await listServerBinlogs(db, what);
      // Close the current file only when something was written since the last flush, so a
      // quiet server does not get a new empty binlog every five minutes.
      const flushedAt = await readFlushMark(options.stateDir, source.name);
      const newest = onServer[onServer.length - 1];
      if (writtenSince(flushedAt, newest && { ...newest, gtid: await readGtidPosition(db) })) {
        await flushBinaryLogs(db, what);
        onServer = await listServerBinlogs(db, what);
        const flushed = onServer[onServer.length - 1];
        await writeFlushMark(options.stateDir, source.name, flushed && { ...flushed, gtid: await readGtidPosition(db) });
      }
      // The newest file is the one the server writes to now; every other one is closed.
      closed = onServer.slice(0, -1).map((binlog) => binlog.name);
    } finally {
      await db.end().catch(() => {});
    }
    const timeline = await loadArchiveTimeline(targets, source.name, trust);
    const everywhere = new Set(timeline.files.filter((file) => targets.every((target) => file.targets.includes(target.name))).map((file) => file.entry.name));
    const pending = closed.filter((name) => !everywhere.has(name));
    result.skipped = closed.length - pending.length;
    const purged = describePurgedBeforeArchived(timeline.files, closed);
    if (purged) emit({ type: 'log', level: 'error', message: `${what}: ${purged}`, hint: 'keep "drc archive" running more often than the server purges (binlog_expire_logs_seconds), and take a new backup now' });
    work = await mkdtemp(path.join(os.tmpdir(), 'drc-binlog-'));
    const added: TimelineFile[] = [];
    for (const name of pending) {
      if (options.signal.aborted) break;
      const file = await fetchServerBinlog(connection, name, work, what, options.signal);
      const facts = await readBinlogFacts(file);
      const pushed = await pushArchiveFile({ source: source.name, kind: 'mysql-binlog', name, path: file, facts, targets, compression, encryption, trust, emit, signal: options.signal });
      await unlink(file).catch(() => {});
      if (pushed.status === 'archived') result.archived.push(name);
      else result.skipped += 1;
      result.targetProblems.push(...pushed.failedTargets.map((failure) => `${failure.target}: ${name}: ${failure.error}`));
      added.push({ entry: pushed.entry, place: sequenceOf(pushed.entry), targets: pushed.storedOn });
    }
    await writeArchiveDoc(targets, source.name, renderBinlogRestoreDoc(source.name, targets[0]!.describeArchiveFile(source.name)));
    const known = new Map(timeline.files.map((file) => [file.entry.name, file]));
    for (const file of added) known.set(file.entry.name, file);
    result.gaps = buildTimeline(source.name, [...known.values()]).gaps.map(describeGap);
    for (const gap of result.gaps) emit({ type: 'log', level: 'error', message: `${what}: archive gap: ${gap}` });
  } catch (error) {
    result.status = 'failed';
    result.error = errorMessage(error);
    const hint = error instanceof DrcError ? error.hint : undefined;
    emit({ type: 'log', level: 'error', message: errorMessage(error), ...(hint ? { hint } : {}) });
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
  }
  if (result.status !== 'off') {
    await appendHistory(options.stateDir, {
      kind: 'archive',
      at: new Date(started).toISOString(),
      source: source.name,
      ok: result.status === 'ok' && !result.gaps.length,
      archived: result.archived,
      skipped: result.skipped,
      gaps: result.gaps,
      durationMs: Date.now() - started,
      ...(result.error ? { error: result.error } : {}),
    });
  }
  if (result.status === 'ok') {
    emit({ type: 'log', level: 'info', message: `${what}: ${result.archived.length} binlog(s) archived, ${result.skipped} already archived` });
  }
  return result;
}

/** The server's oldest closed file is more than one past the newest archived: files were purged unarchived. */
function describePurgedBeforeArchived(archived: TimelineFile[], closed: string[]): string | undefined {
  const newest = archived[archived.length - 1]?.place;
  const oldestOnServer = closed[0] ? sequenceOf({ kind: 'mysql-binlog', name: closed[0] }) : undefined;
  if (!newest || !oldestOnServer || newest.stream !== oldestOnServer.stream || oldestOnServer.seq <= newest.seq + 1n) return undefined;
  return `the server purged ${oldestOnServer.seq - newest.seq - 1n} binlog(s) after ${archived[archived.length - 1]!.entry.name} before they were archived: a gap no restore can cross`;
}

function exitCodeOf(results: SourceArchiveResult[], stopped: boolean): ExitCode {
  if (stopped || results.some((result) => result.status === 'failed' || result.gaps.length)) return EXIT.critical;
  if (results.some((result) => result.status !== 'ok' || result.targetProblems.length)) return EXIT.warning;
  return EXIT.ok;
}

function summarize(results: SourceArchiveResult[]): string {
  return results
    .map((result) => {
      if (result.status === 'ok') return `${result.source}: ${result.archived.length} archived, ${result.skipped} already there${result.gaps.length ? `, ${result.gaps.length} gap(s)` : ''}`;
      return `${result.source}: ${result.status}${result.error ? ` (${result.error})` : ''}`;
    })
    .join('; ');
}

function waitOrStop(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

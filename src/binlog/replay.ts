import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fetchArchivedFile, type StopPoint, type TimelineFile } from '../archive/index.js';
import { DrcError } from '../errors.js';
import type { Emit } from '../events.js';
import type { DecryptionKeys } from '../restore/decrypt.js';
import { feedTool } from '../restore/feed-tool.js';
import { streamInput } from '../restore/tool-input.js';
import { mysqlEnv, mysqlToolArgs, type MysqlConnection } from '../sources/db-url.js';
import { findMysqlTool, stderrTail } from '../sources/tools.js';
import { childEnv } from '../trust/child-env.js';
import type { Target } from '../storage/types.js';
import { DropGtidSeqNo } from './drop-gtid.js';

export interface ReplayOptions {
  connection: MysqlConnection;
  targets: Target[];
  keys: DecryptionKeys;
  /** The archived files, first holding the dump's coordinates, last holding the stop point. */
  files: TimelineFile[];
  startPosition: number;
  stop: StopPoint;
  /** The database the events were written to, and the one they are replayed into. */
  fromDatabase: string;
  intoDatabase: string;
  /** Replay only this table's row events. */
  table?: string | undefined;
  emit: Emit;
  task: string;
  signal?: AbortSignal | undefined;
}

/**
 * `mariadb-binlog` arguments for a replay: from the dump's position in the first file to the
 * stop point in the last, only the source database's events, renamed to the scratch database.
 * Binlog times are whole seconds in UTC (TZ=UTC is set for the tool): `--stop-datetime` stops
 * before the first event stamped at or after the stop time's second, so nothing after the stop
 * time is ever replayed.
 */
export function replayArgs(options: Pick<ReplayOptions, 'startPosition' | 'stop' | 'fromDatabase' | 'intoDatabase' | 'table'>, files: string[]): string[] {
  const stop =
    options.stop.kind === 'time' ? `--stop-datetime=${formatBinlogTime(options.stop.at)}` : `--stop-position=${options.stop.position}`;
  return [
    // Archives may hold GTIDs out of order (an earlier replay on this server): decode them anyway.
    '--skip-gtid-strict-mode',
    `--start-position=${options.startPosition}`,
    stop,
    `--rewrite-db=${options.fromDatabase}->${options.intoDatabase}`,
    // MariaDB filters on the name the events were written with, before the rewrite.
    `--database=${options.fromDatabase}`,
    ...(options.table ? [`--table=${options.table}`] : []),
    ...files,
  ];
}

/** "2026-12-02 17:59:30" in UTC, the second the time falls in. */
export function formatBinlogTime(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Fetches the archived binlogs into a private temp folder (every checksum checked) and pipes
 * `mariadb-binlog … | mariadb <scratch>`: both tools' exit status count. The folder is removed
 * whatever happens.
 */
export async function replayBinlogs(options: ReplayOptions): Promise<void> {
  const { emit, task } = options;
  const work = await mkdtemp(path.join(os.tmpdir(), 'drc-replay-'));
  const started = Date.now();
  try {
    emit({ type: 'task-started', task, phase: 'replay', detail: `${options.files.length} binlog(s) → "${options.intoDatabase}"` });
    const local: string[] = [];
    for (const file of options.files) {
      const dest = path.join(work, file.entry.name);
      await fetchArchivedFile({ targets: options.targets, file, keys: options.keys, dest, ...(options.signal ? { signal: options.signal } : {}) });
      local.push(dest);
    }
    const binlogTool = findMysqlTool('binlog');
    const decoder = spawn(binlogTool, replayArgs(options, local), { env: childEnv({ TZ: 'UTC' }), stdio: ['ignore', 'pipe', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
    let stderr = '';
    decoder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    decoder.on('error', () => {}); // reported through the exit below
    const decoded = new Promise<number | null>((resolve) => decoder.once('close', (code) => resolve(code)));
    const where = `replay into "${options.intoDatabase}"`;
    const filtered = decoder.stdout.pipe(new DropGtidSeqNo());
    decoder.stdout.on('error', (error) => filtered.destroy(error));
    await feedTool(streamInput(filtered), findMysqlTool('client'), [...mysqlToolArgs(options.connection), '--binary-mode', options.intoDatabase], mysqlEnv(options.connection), where);
    const code = await decoded;
    if (code !== 0) throw new DrcError(`${where}: ${path.basename(binlogTool)} failed (exit ${String(code)}): ${stderrTail(stderr) || 'no message'}`);
    emit({ type: 'task-finished', task, phase: 'replay', ok: true, elapsedMs: Date.now() - started, detail: `replayed to ${options.stop.kind === 'time' ? formatBinlogTime(options.stop.at) + ' UTC' : `${options.stop.name}:${options.stop.position}`}` });
  } catch (error) {
    emit({ type: 'task-finished', task, phase: 'replay', ok: false, elapsedMs: Date.now() - started, detail: (error as Error).message });
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

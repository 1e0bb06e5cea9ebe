import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fetchArchivedFile, loadArchiveKeys, loadArchiveTimeline, parsePointInTime } from '../archive/index.js';
import type { Config, MysqlSourceConfig } from '../config/schema.js';
import { DrcError, EXIT, type ExitCode } from '../errors.js';
import type { Emit } from '../events.js';
import { shellQuote } from '../trust/shell-quote.js';
import { parseMysqlUrl } from '../sources/db-url.js';
import { findMysqlTool, stderrTail } from '../sources/tools.js';
import { childEnv } from '../trust/child-env.js';
import { findSourceConfig } from '../restore/engines.js';
import { openTargets } from '../storage/open-targets.js';
import { loadDocumentTrust } from '../trust/load-trust.js';
import { formatBinlogTime } from './replay.js';

export interface FoundEvent {
  file: string;
  /** Where the event's transaction starts: `--before FILE:POS` stops just before it. */
  position: number;
  /** The matching event's own position. */
  eventPosition: number;
  at: string;
  /** The matching line, e.g. "DROP TABLE `calls`" or "### DELETE FROM `app`.`invoices`". */
  text: string;
}

const AT_LINE = /^# at (\d+)$/;
const HEADER_LINE = /^#(\d{2})(\d{2})(\d{2}) +(\d{1,2}):(\d{2}):(\d{2}) server id \d+ +end_log_pos \d+/;
/** Lines that are replay plumbing, never what an operator looks for. */
const NOISE = /^(SET |\/\*!|\/\*M!|DELIMITER|# |#\d{6} )/;

/**
 * Reads one decoded binlog (`mariadb-binlog --verbose --base64-output=DECODE-ROWS`, TZ=UTC) and
 * yields the events whose text matches `pattern` (backticks ignored, so "DROP TABLE calls"
 * finds DROP TABLE `calls`). Each match carries the start of its transaction (the GTID event),
 * which is where a restore must stop to leave the whole transaction out.
 */
export async function scanDecodedBinlog(lines: AsyncIterable<string>, file: string, pattern: RegExp, found: FoundEvent[]): Promise<void> {
  let eventPosition = 0;
  let groupStart = 0;
  let at = '';
  let matchedThisEvent = false;
  for await (const line of lines) {
    const position = AT_LINE.exec(line);
    if (position) {
      eventPosition = Number(position[1]);
      matchedThisEvent = false;
      continue;
    }
    const header = HEADER_LINE.exec(line);
    if (header) {
      const [, yy, mo, dd, hh, mi, ss] = header;
      at = new Date(Date.UTC(2000 + Number(yy), Number(mo) - 1, Number(dd), Number(hh), Number(mi), Number(ss))).toISOString();
      if (/\tGTID \d/.test(line)) groupStart = eventPosition;
      continue;
    }
    if (matchedThisEvent || NOISE.test(line)) continue;
    if (pattern.test(line.replace(/`/g, ''))) {
      matchedThisEvent = true;
      found.push({ file, position: groupStart || eventPosition, eventPosition, at, text: line.replace(/^(#Q> |### )/, '').trim().slice(0, 200) });
    }
  }
}

export interface FindOptions {
  config: Config;
  source: string;
  grep: string;
  since?: string | undefined;
  emit: Emit;
  keyFile?: string | undefined;
  now?: Date;
}

/** `drc binlog find`: archived events of the source's database that match, oldest first. */
export async function findBinlogEvents(options: FindOptions): Promise<{ exitCode: ExitCode; events: FoundEvent[] }> {
  const source = findSourceConfig(options.config.sources, options.source);
  if (source.type !== 'mysql') throw new DrcError(`source ${source.name} is ${source.type}: drc binlog find reads MySQL/MariaDB binary logs`);
  let pattern: RegExp;
  try {
    pattern = new RegExp(options.grep.replace(/`/g, ''), 'i');
  } catch (error) {
    throw new DrcError(`--grep ${JSON.stringify(options.grep)}: not a regular expression (${(error as Error).message})`, { hint: 'e.g. --grep "DROP TABLE calls" or --grep "DELETE FROM .*invoices"' });
  }
  const since = options.since ? parsePointInTime(options.since, options.now ? { now: options.now } : {}).at : undefined;
  const targets = await openTargets(options.config);
  const timeline = await loadArchiveTimeline(targets, source.name, await loadDocumentTrust(options.config));
  const files = timeline.files.filter((file) => !since || !file.entry.lastEventAt || Date.parse(file.entry.lastEventAt) >= since.getTime());
  const events: FoundEvent[] = [];
  if (!files.length) {
    options.emit({ type: 'log', level: 'warn', message: `archive ${source.name}: no archived binlog${since ? ` with events since ${since.toISOString()}` : ''}`, hint: 'run "drc archive --once" first' });
  } else {
    const keys = await loadArchiveKeys(options.config.encryption, files[0]!.entry, options.keyFile);
    const work = await mkdtemp(path.join(os.tmpdir(), 'drc-find-'));
    try {
      for (const file of files) {
        const dest = path.join(work, file.entry.name);
        await fetchArchivedFile({ targets, file, keys, dest });
        await decodeAndScan(dest, file.entry.name, source, pattern, since, events);
        await rm(dest, { force: true });
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  for (const event of events) {
    options.emit({ type: 'log', level: 'info', message: `${event.file}:${event.position}  ${event.at}  ${event.text}` });
  }
  const newest = events[events.length - 1];
  options.emit({
    type: 'result',
    command: 'binlog find',
    exitCode: EXIT.ok,
    summary: newest
      ? `${events.length} matching event(s); to restore to just before the last one: drc restore latest --source ${shellQuote(source.name)} --before ${shellQuote(`${newest.file}:${newest.position}`)}`
      : `no archived event of ${source.name} matches ${JSON.stringify(options.grep)}`,
    data: { events },
  });
  return { exitCode: EXIT.ok, events };
}

async function decodeAndScan(file: string, name: string, source: MysqlSourceConfig, pattern: RegExp, since: Date | undefined, events: FoundEvent[]): Promise<void> {
  const tool = findMysqlTool('binlog');
  const database = parseMysqlUrl(source).database;
  const args = ['--verbose', '--base64-output=DECODE-ROWS', '--skip-gtid-strict-mode', `--database=${database}`, ...(since ? [`--start-datetime=${formatBinlogTime(since)}`] : []), file];
  const child = spawn(tool, args, { env: childEnv({ TZ: 'UTC' }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  await scanDecodedBinlog(createInterface({ input: child.stdout, crlfDelay: Infinity }), name, pattern, events);
  const code = await closed;
  if (code !== 0) throw new DrcError(`decoding ${name}: ${path.basename(tool)} failed (exit ${String(code)}): ${stderrTail(stderr) || 'no message'}`);
}

import type mysql from 'mysql2/promise';
import { chooseBaseBefore, describeStop, loadArchiveKeys, loadArchiveTimeline, parsePointInTime, planReplay, sequenceOf, type StopPoint, type TimelineFile } from '../archive/index.js';
import type { Config, MysqlSourceConfig } from '../config/schema.js';
import { DrcError } from '../errors.js';
import type { Emit } from '../events.js';
import { loadAllCatalogs } from '../restore/resolve-set.js';
import type { ManifestItem } from '../sets/manifest.js';
import type { SetTrust } from '../sets/sealed-manifest.js';
import { parseMysqlUrl } from '../sources/db-url.js';
import { connectMysql } from '../sources/mysql.js';
import type { Target } from '../storage/types.js';
import { loadDocumentTrust } from '../trust/load-trust.js';
import { formatBinlogTime, replayBinlogs } from './replay.js';

export interface PointInTimeRequest {
  /** --at TIME */
  at?: string | undefined;
  /** --before FILE:POS */
  before?: string | undefined;
}

export interface PointInTimePlan {
  setId: string;
  stop: StopPoint;
  files: TimelineFile[];
  /** Lines for the plan shown before anything is created. */
  describe: string[];
  /** Replays into `database` (table: only that table's events). */
  replay(database: string, table: string | undefined, emit: Emit, signal?: AbortSignal): Promise<void>;
}

/** "mysql-bin.000042:91733" → the event it names. */
export function parseBeforeEvent(text: string): StopPoint & { kind: 'event' } {
  const match = /^([A-Za-z0-9._-]+\.\d{6,}):(\d+)$/.exec(text.trim());
  if (!match) throw new DrcError(`--before ${JSON.stringify(text)}: expected FILE:POS, e.g. mysql-bin.000042:91733`, { hint: 'find the event with: drc binlog find --source NAME --grep "DROP TABLE"' });
  return { kind: 'event', name: match[1]!, position: Number(match[2]) };
}

/** The dump's coordinates come before the stop point: the replay can start there. */
function startsBefore(item: ManifestItem, stop: StopPoint): boolean {
  if (!item.binlog) return false;
  if (stop.kind === 'time') return true;
  const from = sequenceOf({ kind: 'mysql-binlog', name: item.binlog.file });
  const to = sequenceOf({ kind: 'mysql-binlog', name: stop.name });
  if (!from || !to || from.stream !== to.stream) return false;
  return from.seq < to.seq || (from.seq === to.seq && item.binlog.position <= stop.position);
}

/**
 * Everything a point-in-time restore needs decided before anything is created: the stop
 * point, the newest dump before it that recorded its coordinates, and the archived binlogs
 * from there to the stop point without a gap (refused with exit 2 and the gap's time range).
 */
export async function planPointInTime(options: {
  config: Config;
  source: MysqlSourceConfig;
  targets: Target[];
  trust: SetTrust;
  setRef: string;
  request: PointInTimeRequest;
  keyFile?: string | undefined;
  emit: Emit;
  now: Date;
}): Promise<PointInTimePlan> {
  const { source, targets, request } = options;
  if (request.at && request.before) throw new DrcError('--at and --before exclude each other', { hint: 'stop at a time (--at) or just before an event (--before FILE:POS)' });
  const serverZone = await readServerTimeZone(source);
  const point = request.at ? parsePointInTime(request.at, { now: options.now }) : undefined;
  const stop: StopPoint = point ? { kind: 'time', at: point.at } : parseBeforeEvent(request.before!);
  const view = await loadAllCatalogs(targets, options.trust, options.emit);
  const entries = options.setRef === 'latest' ? view.entries : view.entries.filter((entry) => entry.id === options.setRef);
  if (!entries.length) throw new DrcError(`backup set ${options.setRef} not found`, { hint: 'list the sets with "drc backups"; "latest" picks the newest usable one' });
  const base = chooseBaseBefore(entries, source.name, stop.kind === 'time' ? stop.at : options.now, (item) => startsBefore(item, stop));
  const binlog = base.item.binlog!;
  const timeline = await loadArchiveTimeline(targets, source.name, await loadDocumentTrust(options.config));
  const files = planReplay(timeline, binlog.file, stop);
  const last = files[files.length - 1]!;
  const stopLine =
    stop.kind === 'time'
      ? `stop before the first event stamped at or after ${formatBinlogTime(stop.at)} UTC (you gave ${JSON.stringify(request.at)}, read as ${point!.readAs}; binlog times are whole seconds)`
      : `stop just before the event at ${describeStop(stop)}`;
  const describe = [
    `dump: set ${base.setId}, finished ${base.item.finishedAt}, snapshot at ${binlog.file}:${binlog.position}${binlog.gtid ? ` (GTID ${binlog.gtid})` : ''}`,
    `replay: ${files.length} archived binlog(s), ${binlog.file}:${binlog.position} → ${last.entry.name}${last.entry.lastEventAt ? ` (archived up to ${last.entry.lastEventAt})` : ''}`,
    stopLine,
    `server time zone: ${serverZone}`,
  ];
  const keyEntry = files[0]!.entry;
  const keys = await loadArchiveKeys(options.config.encryption, keyEntry, options.keyFile);
  const connection = parseMysqlUrl(source);
  return {
    setId: base.setId,
    stop,
    files,
    describe,
    replay: (database, table, emit, signal) =>
      replayBinlogs({
        connection,
        targets,
        keys,
        files,
        startPosition: binlog.position,
        stop,
        fromDatabase: connection.database,
        intoDatabase: database,
        table,
        emit,
        task: source.name,
        signal,
      }),
  };
}

/** "SYSTEM (CET, UTC+01:00 now)": what the operator's wall clock times are read against. */
async function readServerTimeZone(source: MysqlSourceConfig): Promise<string> {
  let db: mysql.Connection | undefined;
  try {
    db = await connectMysql(parseMysqlUrl(source), `source ${source.name}`);
    const [rows] = await db.query("SELECT @@time_zone AS zone, @@system_time_zone AS systemZone, TIME_FORMAT(TIMEDIFF(NOW(), UTC_TIMESTAMP()), '%H:%i') AS utcOffset");
    const row = (rows as Array<{ zone: string; systemZone: string; utcOffset: string }>)[0]!;
    const offset = row.utcOffset.startsWith('-') ? row.utcOffset : `+${row.utcOffset}`;
    return `${row.zone}${row.zone === 'SYSTEM' ? ` (${row.systemZone})` : ''}, UTC${offset} now; drc reads wall-clock --at in ${Intl.DateTimeFormat().resolvedOptions().timeZone}`;
  } catch {
    return 'unknown (cannot ask the server)';
  } finally {
    await db?.end().catch(() => {});
  }
}

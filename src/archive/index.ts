/**
 * The point-in-time archive, shared by MySQL/MariaDB binlogs (issue 10) and PostgreSQL WAL
 * (issue 11). Engine-neutral: an engine brings finished files and what it knows about them;
 * this core stores, lists, checks and reads them back.
 *
 * Layout (layout.ts), on every target beside the sets:
 *   <target>/archive/<source>/<name>.zst.gpg   data, same pipeline as a set item
 *   <target>/archive/<source>/<name>.json      index entry (entry.ts), written AFTER the data:
 *                                              its presence means "archived"
 *   <target>/archive/<source>/RESTORE.md       by-hand commands (the engine writes it: writeArchiveDoc)
 * `<name>` is "mysql-bin.000042" or "<timeline>/<segment>" ("00000001/000000010000000000000003");
 * every segment passes confineSegment (names.ts) before it touches a path or key.
 *
 * Writing
 *   pushArchiveFile({ source, kind, name, path, facts, targets, compression, encryption, emit })
 *     sha256 plain → compress → OpenPGP → sha256 stored → first target; copies to the others.
 *     Idempotent: same name + same plain sha256 = 'skipped'; same name + different content =
 *     DrcError exit 2. `facts` are the kind's fields: firstEventAt/lastEventAt (ISO) and
 *     `mysql` {startPosition, endPosition, gtidSet} or `postgres` {timeline, segment, startLsn, endLsn}.
 *   writeArchiveDoc(targets, source, markdown)   RESTORE.md on every target.
 *   removeArchivedFiles(targets, files)          entry first, then data (retention).
 *
 * Reading
 *   loadArchiveTimeline(targets, source) → { files (replay order), gaps, newestEventAt, problems }
 *     Gaps are missing sequence numbers between archived files (sequence.ts: per kind,
 *     SEQUENCE_BY_KIND), each with the time range nothing can be replayed across.
 *   planReplay(timeline, fromName, stop)  the files from a base backup's start to the stop
 *     point ({kind:'time', at} | {kind:'event', name, position}); refuses across a gap (exit 2).
 *   planArchiveRetention(timeline, keepFromName)  files older than the oldest kept base's start.
 *   fetchArchivedFile({ targets, file, keys, dest }) plain bytes to a local file, every
 *     checksum checked, the next target tried when a copy is damaged; loadArchiveKeys(...).
 *
 * Point in time (point-in-time.ts, choose-base.ts)
 *   parsePointInTime(text, { now, timeZone })  ISO-8601, wall clock in a zone, or "5m" ago.
 *   chooseBaseBefore(catalogEntries, source, at, canReplayFrom)  newest backup finished by `at`.
 *
 * Status (status.ts)
 *   summarizeArchive(timeline, now)  RPO point, lag, gaps for `drc status`, metrics, the TUI.
 */
export { ARCHIVE_DIR, confineSegment, isSafeSegment } from './names.js';
export { ARCHIVE_ENTRY_FORMAT, archiveEntrySchema, parseEntry, type ArchiveEntry, type ArchiveKind, type MysqlArchiveFields, type PostgresArchiveFields } from './entry.js';
export { ARCHIVE_RESTORE_DOC, archiveDataFile, archiveEntryFile, confineArchiveName } from './layout.js';
export { copyArchived, pushArchiveFile, readEntry, type ArchiveFileFacts, type PushArchiveFileOptions, type PushOutcome } from './push.js';
export { removeArchivedFiles, writeArchiveDoc } from './maintain.js';
export { SEQUENCE_BY_KIND, mysqlBinlogSequence, postgresWalSequence, sequenceOf, type SequencePlace } from './sequence.js';
export { buildTimeline, describeGap, listArchiveEntries, loadArchiveTimeline, type ArchiveGap, type ArchiveTimeline, type TimelineFile } from './timeline.js';
export { describeStop, planArchiveRetention, planReplay, type StopPoint } from './replay-plan.js';
export { fetchArchivedFile, loadArchiveKeys } from './fetch.js';
export { parsePointInTime, type PointInTime } from './point-in-time.js';
export { chooseBaseBefore } from './choose-base.js';
export { summarizeArchive, type ArchiveSummary } from './status.js';

import { z } from 'zod';
import { DrcError } from '../errors.js';

export const ARCHIVE_ENTRY_FORMAT = 'drc-archive/1';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** MySQL/MariaDB: where the file's events start and end, and the GTIDs it holds. */
const mysqlFields = z.object({
  /** Position of the first event after the format description (4 in a normal binlog). */
  startPosition: z.number().int().nonnegative(),
  /** End of the last event: a `--stop-position` at or past it replays the whole file. */
  endPosition: z.number().int().nonnegative(),
  /** GTIDs of the transactions in this file, "domain-server-seq" ranges, when the server writes them. */
  gtidSet: z.string().optional(),
  serverId: z.number().int().nonnegative().optional(),
});

/** PostgreSQL: filled in by the WAL archiver (issue 11). */
const postgresFields = z.object({
  timeline: z.string(),
  segment: z.string().optional(),
  startLsn: z.string().optional(),
  endLsn: z.string().optional(),
});

/**
 * One archived file's index entry, `<name>.json` beside `<name>.zst.gpg`. Written after the
 * data file on the same target: its presence means "archived", so a killed run leaves no entry
 * and nothing that looks archived.
 */
export const archiveEntrySchema = z.object({
  format: z.literal(ARCHIVE_ENTRY_FORMAT),
  source: z.string(),
  kind: z.enum(['mysql-binlog', 'postgres-wal']),
  /** The file's own name, relative to archive/<source>/ ("mysql-bin.000042", "00000001/0000000100000000000000A3"). */
  name: z.string(),
  /** The stored file, relative to archive/<source>/. */
  file: z.string(),
  /** Time of the first and last event in the file (ISO), where the kind can tell. */
  firstEventAt: z.string().optional(),
  lastEventAt: z.string().optional(),
  plain: z.object({ bytes: z.number().int().nonnegative(), sha256 }),
  storedBytes: z.number().int().nonnegative(),
  /** sha256 of the stored (compressed, encrypted) bytes on this target. */
  sha256,
  compression: z.enum(['zstd', 'gzip']),
  encryption: z.literal('openpgp'),
  /** Which passphrase/recipients opened it, as in a set manifest (fingerprints only). */
  encryptedTo: z.object({ passphrase: z.boolean(), recipients: z.array(z.string()) }),
  archivedAt: z.string(),
  host: z.string(),
  mysql: mysqlFields.optional(),
  postgres: postgresFields.optional(),
});

export type ArchiveEntry = z.infer<typeof archiveEntrySchema>;
export type ArchiveKind = ArchiveEntry['kind'];
export type MysqlArchiveFields = z.infer<typeof mysqlFields>;
export type PostgresArchiveFields = z.infer<typeof postgresFields>;

export const ENTRY_SUFFIX = '.json';

/** The entry's bytes as stored. The one place an authentication (issue 12, `<name>.json.sig`) will be added. */
export function serializeEntry(entry: ArchiveEntry): string {
  return `${JSON.stringify(entry, null, 2)}\n`;
}

/**
 * Reads an index entry. Untrusted until issue 12's signature check lands here: the schema and
 * the caller's confinement of `name`/`file` are what stand between a hostile target and a path.
 */
export function parseEntry(text: string, where: string): ArchiveEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new DrcError(`${where}: archive index entry is not valid JSON`, { hint: 'the entry is damaged; run "drc archive --once" to re-archive what the server still has' });
  }
  const result = archiveEntrySchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new DrcError(`${where}: archive index entry ${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

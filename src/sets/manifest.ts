import { z } from 'zod';
import { checkConfinedName, checkRelativePath } from '../trust/confine.js';

export const MANIFEST_FORMAT = 'drc-backup-set/1';
export const MANIFEST_FILE = 'manifest.json';
export const SUMS_FILE = 'SHA256SUMS';
export const RESTORE_DOC_FILE = 'RESTORE.md';

/** A name drc will join to a folder: one confined path component (src/trust/confine.ts). */
const fileName = z.string().superRefine((name, ctx) => {
  const problem = checkConfinedName(name);
  if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name)} ${problem}` });
});

/** An archived path: re-rooted below the restore folder, never climbing out of it. */
const archivedPath = z.string().superRefine((text, ctx) => {
  const result = checkRelativePath(text);
  if ('problem' in result) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} ${result.problem}` });
});

const lsn = z.string().regex(/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i);
const walFile = z.string().regex(/^[0-9A-F]{24}$/);

/** A physical base backup (pg_basebackup -Ft -X fetch) for point-in-time recovery. */
export const baseBackupSchema = z.object({
  label: z.string(),
  timeline: z.number().int().positive(),
  startLsn: lsn,
  stopLsn: lsn,
  /** First and last WAL segment the backup needs (both inside the tar, pg_wal/). */
  startWal: walFile,
  stopWal: walFile,
  walSegmentBytes: z.number().int().positive(),
  systemIdentifier: z.string(),
  /** The cluster's bootstrap superuser: a recovered copy is entered as this role. */
  superuser: z.string(),
  /** Server major version: recovery needs the same major's binaries. */
  major: z.number().int().positive(),
});

const tableCount = z.object({ name: z.string(), rows: z.number().int().nonnegative() });

export const manifestItemSchema = z.object({
  source: fileName,
  /**
   * config and system (added later, so older sets simply lack them): the drc config and the
   * system inventory, carried so a lost server can be rebuilt from the set alone.
   */
  type: z.enum(['postgres', 'mysql', 'files', 'calcom', 'retell', 'config', 'system']),
  file: fileName,
  storedBytes: z.number().int().nonnegative(),
  /** sha256 of the stored (compressed, encrypted) file: what SHA256SUMS lists. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  plain: z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  compression: z.enum(['zstd', 'gzip']),
  encryption: z.literal('openpgp'),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** The dump tool and its version, e.g. "pg_dump (PostgreSQL) 15.19". */
  tool: z.string().optional(),
  serverVersion: z.string().optional(),
  database: z.string().optional(),
  /** Per-table row counts taken in the same snapshot as the dump, and how. */
  tables: z.array(tableCount).optional(),
  rowCountMethod: z.string().optional(),
  /** files: the paths archived, relative to / inside the tar. */
  paths: z.array(archivedPath).optional(),
  /** calcom/retell: number of records per resource. */
  counts: z.record(z.string(), z.number()).optional(),
  warnings: z.array(z.string()).optional(),
  /** Set on the base-backup item of a `pitr` PostgreSQL source (its logical dump is a separate item). */
  baseBackup: baseBackupSchema.optional(),
  /**
   * mysql: the binary log coordinates of the dump's snapshot (mariadb-dump --master-data=2
   * --gtid under --single-transaction): where a point-in-time replay starts.
   */
  binlog: z
    .object({
      file: z.string(),
      position: z.number().int().nonnegative(),
      gtid: z.string().optional(),
      /** binlog_format when the dump ran: ROW is what --table replays need. */
      format: z.string().optional(),
    })
    .optional(),
  /** Whether this item can start a point-in-time restore, and why not when it cannot. */
  pitr: z.object({ enabled: z.boolean(), reason: z.string().optional() }).optional(),
});

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  set: fileName,
  host: z.string(),
  drcVersion: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** partial: at least one configured source failed; the items present are still good. */
  status: z.enum(['complete', 'partial']),
  encryption: z.object({
    passphrase: z.boolean(),
    /** Fingerprints of the public keys the items are encrypted to. */
    recipients: z.array(z.string()),
    cipher: z.literal('AES-256'),
  }),
  items: z.array(manifestItemSchema),
  failures: z.array(z.object({ source: z.string(), type: z.string(), error: z.string() })),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestItem = z.infer<typeof manifestItemSchema>;
export type BaseBackupInfo = z.infer<typeof baseBackupSchema>;

export function parseManifest(text: string, where: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${where}: manifest.json is not valid JSON`);
  }
  const result = manifestSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${where}: manifest.json ${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

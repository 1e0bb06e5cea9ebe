import type { PlainInput } from './tool-input.js';
import type { SmokeCheck } from './db-checks.js';
import type { RestoreJournal } from './restore-journal.js';

/**
 * What a restore needs from a database server, the same for PostgreSQL and MySQL/MariaDB, so
 * restore, verify --deep and drill share one flow: load into a scratch database, check, and
 * only then swap (whole database or one table).
 */
export interface DatabaseEngine {
  readonly kind: 'PostgreSQL' | 'MySQL/MariaDB';
  /** The live database named in the source's URL. */
  readonly database: string;
  exists(database: string): Promise<boolean>;
  /** True when the database holds no tables or views. */
  isEmpty(database: string): Promise<boolean>;
  create(database: string): Promise<void>;
  drop(database: string): Promise<void>;
  /** Loads a plain dump into `database`; with `table`, only that table (MySQL slices the stream). */
  load(database: string, input: PlainInput, table?: string): Promise<void>;
  /** Row counts per table, named as manifests name them. */
  countRows(database: string): Promise<Array<{ name: string; rows: number }>>;
  runSmokeChecks(database: string, checks: SmokeCheck[]): Promise<string[]>;
  /** The manifest's name for a table the user typed ("calls" → "public.calls"). */
  manifestTableName(table: string, known: string[]): string | undefined;
  /**
   * Replaces the live database with `restored`; the old one ends up as `before`. Returns notes.
   * Every server-changing step is written to `journal` before it runs (crash recovery).
   */
  swapDatabase(restored: string, before: string, journal: RestoreJournal): Promise<string[]>;
  /** Replaces one live table with the one in `restored`; the old table is kept under `before`. */
  swapTable(restored: string, before: string, table: string, journal: RestoreJournal): Promise<string[]>;
  /** The command that drops the kept copy, for the closing message. */
  dropHint(before: string, table?: string): string;
  close(): Promise<void>;
}

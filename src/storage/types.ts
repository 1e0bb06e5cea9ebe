import type { Readable, Writable } from 'node:stream';

/** What a target holds under one set folder, as found by listing (manifest read separately). */
export interface StoredSetEntry {
  id: string;
  /** manifest.json is present: the set is complete as far as writing goes. */
  hasManifest: boolean;
  /** Newest modification time of anything in it; used to age debris from other hosts. */
  modifiedAt: Date;
}

export interface StoredFile {
  name: string;
  bytes: number;
}

/** A stream into one item of a set; nothing is visible under the final name until commit(). */
export interface ItemWriter {
  stream: Writable;
  commit(): Promise<void>;
  /** Removes whatever was written; safe to call after a failed write or twice. */
  abort(): Promise<void>;
}

/**
 * One place backup sets live. Sets are folders (local) or key prefixes (S3) named by set id;
 * a set exists only once its manifest.json is there, so every writer puts that last.
 */
export interface Target {
  readonly name: string;
  readonly type: 'local' | 's3';
  /** For messages: "/var/backups/drc" or "s3://bucket/prefix". */
  readonly location: string;
  /** Throws a DrcError naming the target and the fix when it cannot be reached or written. */
  checkReachable(): Promise<void>;
  listSets(): Promise<StoredSetEntry[]>;
  /**
   * The names of the top-level folders only (set ids, and others such as archive/), without
   * looking inside them: one delimiter listing per thousand folders on S3. For views over many
   * hosts and sets, which then read only the manifests they need.
   */
  listFolders(): Promise<string[]>;
  listFiles(setId: string): Promise<StoredFile[]>;
  createItemWriter(setId: string, file: string, expectedBytes?: number): Promise<ItemWriter>;
  /** Atomic write of a small file (manifest, SHA256SUMS, RESTORE.md). */
  writeFile(setId: string, file: string, content: string | Buffer): Promise<void>;
  /** undefined when the file does not exist. */
  readFile(setId: string, file: string): Promise<Buffer | undefined>;
  openRead(setId: string, file: string): Promise<{ stream: Readable; bytes: number }>;
  /** Deletes manifest.json first, so a half-deleted set is never listed as complete. */
  removeSet(setId: string): Promise<void>;
  /** Where a person would find a stored file, for RESTORE.md and messages. */
  describeFile(setId: string, file: string): string;

  // The point-in-time archive under `<target>/archive/` (binlogs, WAL; see src/archive/).
  // `file` and `prefix` are '/'-separated paths relative to that folder, every segment
  // confined (src/archive/names.ts) by the target itself as well as by its callers.
  /** Every stored file under `archive/<prefix>/`, recursively, named relative to it ("00000001/0000…"); unfinished local `.part` files are left out. */
  listArchive(prefix: string): Promise<StoredFile[]>;
  /** Like createItemWriter: nothing under the final name until commit(). */
  createArchiveWriter(file: string, expectedBytes?: number): Promise<ItemWriter>;
  /** Atomic write of a small file (an index entry, RESTORE.md). */
  writeArchiveFile(file: string, content: string | Buffer): Promise<void>;
  /** undefined when the file does not exist. */
  readArchiveFile(file: string): Promise<Buffer | undefined>;
  openArchiveRead(file: string): Promise<{ stream: Readable; bytes: number }>;
  /** Removes one archive file; a file already gone is not an error. */
  removeArchiveFile(file: string): Promise<void>;
  describeArchiveFile(file: string): string;
}

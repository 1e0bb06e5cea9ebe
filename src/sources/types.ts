import type { Readable } from 'node:stream';
import type { ManifestItem } from '../sets/manifest.js';

/** What a finished dump adds to its manifest item beyond sizes and hashes. */
export type DumpMetadata = Pick<
  ManifestItem,
  'tool' | 'serverVersion' | 'database' | 'tables' | 'rowCountMethod' | 'paths' | 'counts' | 'warnings' | 'baseBackup' | 'binlog' | 'pitr'
>;

/** What the pipeline saw of the plain stream, for sources that check completion trailers. */
export interface ObservedStream {
  bytes: number;
  head: Buffer;
  tail: Buffer;
}

/** One running dump: a plain-content stream plus the checks that run once it has ended. */
export interface SourceDump {
  stream: Readable;
  /** Optional look at every plain chunk as it passes (e.g. counting rows in a SQL dump). */
  inspect?(chunk: Buffer): void;
  /**
   * Called after the stream ended: waits for the tool's exit status, checks the content is
   * complete (trailer, magic bytes), and returns the metadata. Throws a DrcError otherwise.
   */
  finish(observed: ObservedStream): Promise<DumpMetadata>;
  /** Stops the dump early (another stage failed); must not throw. */
  abort(): void;
}

export interface BackupSource {
  readonly name: string;
  readonly type: ManifestItem['type'];
  /** Plain content's file suffix before compression: "sql", "dump", "tar", "json". */
  readonly extension: string;
  open(signal: AbortSignal): Promise<SourceDump>;
}

import { execa } from 'execa';
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { findOnPath } from '../sources/tools.js';
import { childEnvOptions } from '../trust/child-env.js';

export type CompressionKind = 'zstd' | 'gzip';

export interface Compression {
  kind: CompressionKind;
  /** ".zst" or ".gz": the file name says how to undo it. */
  suffix: string;
  /** What does the work, for messages and the manifest. */
  engine: string;
  createCompressor(): Duplex;
  createDecompressor(): Duplex;
  /** The compressing tool's command line when it is a separate program that reads a file named last. */
  compressorCommand?: { binary: string; args: string[] };
}

type ZlibWithZstd = typeof zlib & {
  createZstdCompress?: (options?: object) => Duplex;
  createZstdDecompress?: (options?: object) => Duplex;
  constants: typeof zlib.constants & { ZSTD_c_compressionLevel?: number; ZSTD_c_nbWorkers?: number };
};

/**
 * Level 1, not zstd's default 3: on dumps (SQL text, COPY data, transcripts) it measured about
 * as small (within a few percent, sometimes smaller with -T0) at roughly half the CPU, and
 * the CPU is shared with pg_dump and the database server on a two-core box. Raise it with
 * config.compressionLevel when storage costs more than the backup window.
 */
export const DEFAULT_ZSTD_LEVEL = 1;

/**
 * zstd through the `zstd` tool (multi-threaded, in its own process, so it runs on the other
 * core while Node encrypts), else node:zlib's zstd where the runtime has it, else gzip.
 */
export function chooseCompression(level?: number): Compression {
  const tool = findOnPath('zstd');
  if (tool) {
    const zstdLevel = String(Math.min(level ?? DEFAULT_ZSTD_LEVEL, 19));
    const args = [`-${zstdLevel}`, '-T0', '-q', '-c'];
    return {
      kind: 'zstd',
      suffix: '.zst',
      engine: 'zstd tool',
      compressorCommand: { binary: tool, args },
      createCompressor: () => childDuplex(tool, args),
      createDecompressor: () => childDuplex(tool, ['-d', '-q', '-c']),
    };
  }
  const z = zlib as ZlibWithZstd;
  if (z.createZstdCompress && z.createZstdDecompress) {
    const params: Record<number, number> = {};
    if (z.constants.ZSTD_c_compressionLevel !== undefined) params[z.constants.ZSTD_c_compressionLevel] = Math.min(level ?? DEFAULT_ZSTD_LEVEL, 19);
    return {
      kind: 'zstd',
      suffix: '.zst',
      engine: 'node:zlib zstd',
      createCompressor: () => z.createZstdCompress!({ params }),
      createDecompressor: () => z.createZstdDecompress!(),
    };
  }
  return {
    kind: 'gzip',
    suffix: '.gz',
    engine: 'node:zlib gzip',
    createCompressor: () => zlib.createGzip({ level: Math.min(level ?? 6, 9) }),
    createDecompressor: () => zlib.createGunzip(),
  };
}

/** The decompressor for a stored item, chosen by what the manifest says compressed it. */
export function decompressionFor(kind: CompressionKind): Compression {
  const preferred = chooseCompression();
  if (preferred.kind === kind) return preferred;
  if (kind === 'gzip') {
    const { compressorCommand: _zstdOnly, ...rest } = preferred;
    return { ...rest, kind: 'gzip', suffix: '.gz', engine: 'node:zlib gzip', createDecompressor: () => zlib.createGunzip() };
  }
  throw new Error('this item is zstd-compressed but neither the zstd tool nor node:zlib zstd is available: apt-get install zstd');
}

/** A child process as a stream stage; it errors (with the tool's stderr) when the process fails. */
function childDuplex(binary: string, args: string[]): Duplex {
  const child = execa(binary, args, { ...childEnvOptions(), buffer: { stdout: false, stderr: true }, encoding: 'buffer' });
  const duplex = child.duplex({ binary: true });
  child.catch(() => {}); // the failure surfaces as the duplex's error
  return duplex;
}

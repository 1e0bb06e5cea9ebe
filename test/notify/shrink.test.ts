import { describe, expect, test } from 'vitest';
import { detectShrunkItems } from '../../src/notify/shrink.js';
import { MANIFEST_FORMAT, type Manifest, type ManifestItem } from '../../src/sets/manifest.js';

const HASH = 'a'.repeat(64);

function manifest(set: string, items: Array<{ source: string; bytes: number; tables?: string[] }>): Manifest {
  return {
    format: MANIFEST_FORMAT,
    set,
    host: 'web1',
    drcVersion: '0.1.0',
    startedAt: '2026-11-22T02:15:00Z',
    finishedAt: '2026-11-22T02:16:00Z',
    status: 'complete',
    encryption: { passphrase: true, recipients: [], cipher: 'AES-256' },
    items: items.map(
      (item): ManifestItem => ({
        source: item.source,
        type: 'mysql',
        file: `${item.source}.sql.zst.gpg`,
        storedBytes: Math.round(item.bytes / 5),
        sha256: HASH,
        plain: { bytes: item.bytes, sha256: HASH },
        compression: 'zstd',
        encryption: 'openpgp',
        startedAt: '2026-11-22T02:15:00Z',
        finishedAt: '2026-11-22T02:16:00Z',
        ...(item.tables ? { tables: item.tables.map((name) => ({ name, rows: 10 })) } : {}),
      }),
    ),
    failures: [],
  };
}

describe('detectShrunkItems', () => {
  const previous = manifest('2026-11-21T02-15-00Z_web1', [
    { source: 'app-db', bytes: 100 * 1024 * 1024, tables: ['calls', 'companies', 'billing_lines'] },
    { source: 'app', bytes: 50 * 1024 * 1024 },
  ]);

  test('flags a dump under half the size of the previous one, naming both sizes', () => {
    const found = detectShrunkItems(previous, manifest('2026-11-22T02-15-00Z_web1', [
      { source: 'app-db', bytes: 40 * 1024 * 1024, tables: ['calls', 'companies', 'billing_lines'] },
      { source: 'app', bytes: 49 * 1024 * 1024 },
    ]));
    expect(found.map((item) => item.message)).toEqual(['app-db shrank: 40.0 MiB, under 50% of the 100.0 MiB in 2026-11-21T02-15-00Z_web1']);
  });

  test('flags tables that disappeared even when the size barely moved', () => {
    const found = detectShrunkItems(previous, manifest('2026-11-22T02-15-00Z_web1', [{ source: 'app-db', bytes: 99 * 1024 * 1024, tables: ['calls', 'companies'] }]));
    expect(found).toMatchObject([{ source: 'app-db', missingTables: ['billing_lines'], message: 'app-db shrank: tables gone since 2026-11-21T02-15-00Z_web1: billing_lines' }]);
  });

  test('takes another ratio, and stays quiet for normal growth, new sources and a first set', () => {
    const current = manifest('2026-11-22T02-15-00Z_web1', [{ source: 'app', bytes: 30 * 1024 * 1024 }, { source: 'core-db', bytes: 1 }]);
    expect(detectShrunkItems(previous, current)).toEqual([]);
    expect(detectShrunkItems(previous, current, 0.8).map((item) => item.source)).toEqual(['app']);
    expect(detectShrunkItems(undefined, current)).toEqual([]);
  });
});

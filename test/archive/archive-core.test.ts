import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  buildTimeline,
  chooseBaseBefore,
  fetchArchivedFile,
  loadArchiveKeys,
  loadArchiveTimeline,
  parsePointInTime,
  planArchiveRetention,
  planReplay,
  pushArchiveFile,
  removeArchivedFiles,
  type ArchiveEntry,
  type TimelineFile,
} from '../../src/archive/index.js';
import { mysqlBinlogSequence } from '../../src/archive/sequence.js';
import { DrcError } from '../../src/errors.js';
import { ignoreEvents } from '../../src/events.js';
import { chooseCompression } from '../../src/pipeline/compress.js';
import { loadEncryption } from '../../src/pipeline/encryption.js';
import type { CatalogEntry } from '../../src/sets/catalog.js';
import { createLocalTarget } from '../../src/storage/local.js';
import { createS3Target } from '../../src/storage/s3.js';
import type { Target } from '../../src/storage/types.js';
import { startS3rver, type TestS3rver } from '../helpers/s3rver.js';
import { makeTempDir, uniqueSuffix } from '../helpers/tmp.js';

const PASSPHRASE = 'archive-core-passphrase-7d1f';
let s3: TestS3rver;
let tmp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  s3 = await startS3rver();
  Object.assign(process.env, s3.env, { DRC_TEST_ARCHIVE_PASS: PASSPHRASE });
  tmp = await makeTempDir('drc-archive-core-');
});

afterAll(async () => {
  await s3?.stop();
  await tmp?.cleanup();
});

async function targets(): Promise<Target[]> {
  const suffix = uniqueSuffix();
  return [createLocalTarget({ name: 'local', type: 'local', path: path.join(tmp.dir, `local-${suffix}`) }), createS3Target(s3.targetConfig(`p-${suffix}`))];
}

async function push(all: Target[], name: string, file: string, signal?: AbortSignal) {
  return pushArchiveFile({
    source: 'app-db',
    kind: 'mysql-binlog',
    name,
    path: file,
    facts: { firstEventAt: '2026-12-02T10:00:00.000Z', lastEventAt: '2026-12-02T10:05:00.000Z', mysql: { startPosition: 4, endPosition: 1000 } },
    targets: all,
    compression: chooseCompression(),
    encryption: await loadEncryption({ passphraseEnv: 'DRC_TEST_ARCHIVE_PASS' }),
    emit: ignoreEvents,
    ...(signal ? { signal } : {}),
  });
}

describe('pushArchiveFile', () => {
  test('stores data then index entry on every target; a second push is a no-op; fetch gives back the same bytes', async () => {
    const all = await targets();
    const original = path.join(tmp.dir, `mysql-bin.000001-${uniqueSuffix()}`);
    const content = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(original, content);

    const first = await push(all, 'mysql-bin.000001', original);
    expect(first.status).toBe('archived');
    expect(first.storedOn).toEqual(['local', 'offsite']);
    const again = await push(all, 'mysql-bin.000001', original);
    expect(again.status).toBe('skipped');

    for (const target of all) {
      const names = (await target.listArchive('app-db')).map((file) => file.name).sort();
      expect(names).toEqual(['mysql-bin.000001.json', 'mysql-bin.000001.zst.gpg']);
      const entryText = (await target.readArchiveFile('app-db/mysql-bin.000001.json'))!.toString('utf8');
      expect(entryText).not.toContain(PASSPHRASE);
      expect(JSON.parse(entryText)).toMatchObject({ format: 'drc-archive/1', kind: 'mysql-binlog', name: 'mysql-bin.000001', plain: { bytes: content.length } });
    }

    const timeline = await loadArchiveTimeline(all, 'app-db');
    expect(timeline.files.map((file) => [file.entry.name, file.targets])).toEqual([['mysql-bin.000001', ['local', 'offsite']]]);
    const keys = await loadArchiveKeys({ passphraseEnv: 'DRC_TEST_ARCHIVE_PASS' }, timeline.files[0]!.entry);
    const dest = path.join(tmp.dir, `fetched-${uniqueSuffix()}`);
    await fetchArchivedFile({ targets: all, file: timeline.files[0]!, keys, dest });
    expect((await readFile(dest)).equals(content)).toBe(true);
  });

  test('the stored file decrypts with gpg and zstd alone', async () => {
    const [local] = await targets();
    const original = path.join(tmp.dir, `plain-${uniqueSuffix()}`);
    await writeFile(original, 'binlog bytes\n'.repeat(1000));
    await push([local!], 'mysql-bin.000002', original);
    const stored = local!.describeArchiveFile('app-db/mysql-bin.000002.zst.gpg');
    const gnupgHome = await mkdtemp(path.join(tmp.dir, 'gnupg-'));
    const { stdout } = await execa(
      'bash',
      ['-c', 'set -o pipefail; gpg --batch --quiet --pinentry-mode loopback --passphrase-fd 3 --decrypt "$1" 3<<<"$PASS" | zstd -d -q -c', 'sh', stored],
      { env: { GNUPGHOME: gnupgHome, PASS: PASSPHRASE } },
    );
    expect(stdout).toBe('binlog bytes\n'.repeat(1000).trimEnd());
  });

  test('the same name with different content fails loudly and changes nothing', async () => {
    const all = await targets();
    const file = path.join(tmp.dir, `a-${uniqueSuffix()}`);
    await writeFile(file, 'first content');
    await push(all, 'mysql-bin.000003', file);
    await writeFile(file, 'other content');
    const error = await push(all, 'mysql-bin.000003', file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DrcError);
    expect((error as DrcError).exitCode).toBe(2);
    expect((error as DrcError).message).toContain('already holds a different mysql-bin.000003');
  });

  test('an interrupted push leaves neither an index entry nor a finished data file', async () => {
    const all = await targets();
    const file = path.join(tmp.dir, `big-${uniqueSuffix()}`);
    await writeFile(file, randomBytes(8 * 1024 * 1024));
    const controller = new AbortController();
    const pushing = push(all, 'mysql-bin.000004', file, controller.signal);
    setImmediate(() => controller.abort());
    await expect(pushing).rejects.toThrow();
    for (const target of all) expect(await target.listArchive('app-db')).toEqual([]);
    const localDir = path.dirname(all[0]!.describeArchiveFile('app-db/x'));
    expect(await readdir(localDir).catch(() => [])).toEqual([]);
    const retry = await push(all, 'mysql-bin.000004', file);
    expect(retry.status).toBe('archived');
  });

  test('with a trust, entries are sealed; a tampered entry is refused and never replayed', async () => {
    const { createDocumentTrust } = await import('../../src/trust/authenticate.js');
    const trust = await createDocumentTrust({ passphrase: PASSPHRASE });
    const [local] = await targets();
    const file = path.join(tmp.dir, `sealed-${uniqueSuffix()}`);
    await writeFile(file, 'sealed binlog');
    await pushArchiveFile({
      source: 'app-db', kind: 'mysql-binlog', name: 'mysql-bin.000010', path: file, facts: {}, targets: [local!],
      compression: chooseCompression(), encryption: await loadEncryption({ passphraseEnv: 'DRC_TEST_ARCHIVE_PASS' }), trust, emit: ignoreEvents,
    });
    expect((await local!.listArchive('app-db')).map((f) => f.name).sort()).toEqual(['mysql-bin.000010.json', 'mysql-bin.000010.json.mac', 'mysql-bin.000010.zst.gpg']);
    expect((await loadArchiveTimeline([local!], 'app-db', trust)).files).toHaveLength(1);
    const entryPath = local!.describeArchiveFile('app-db/mysql-bin.000010.json');
    await writeFile(entryPath, (await readFile(entryPath, 'utf8')).replace('mysql-bin.000010"', 'mysql-bin.000010" ,"firstEventAt": "2030-01-01T00:00:00Z"'));
    const tampered = await loadArchiveTimeline([local!], 'app-db', trust);
    expect(tampered.files).toEqual([]);
    expect(tampered.problems.join('\n')).toMatch(/not authentic/);
  });

  test('a name that leaves its folder is refused before anything is written', async () => {
    const all = await targets();
    const file = path.join(tmp.dir, `evil-${uniqueSuffix()}`);
    await writeFile(file, 'x');
    await expect(push(all, '../../etc/passwd', file)).rejects.toThrow(/not a safe archive name/);
    await expect(all[0]!.readArchiveFile('../x')).rejects.toThrow(/not a safe archive name/);
  });
});

function fakeFile(name: string, first: string, last: string): TimelineFile {
  const entry = { kind: 'mysql-binlog', name, source: 'app-db', firstEventAt: first, lastEventAt: last } as ArchiveEntry;
  return { entry, place: mysqlBinlogSequence(name), targets: ['local'] };
}

describe('timeline, gaps and replay planning', () => {
  const files = [
    fakeFile('mysql-bin.000001', '2026-12-02T08:00:00Z', '2026-12-02T09:00:00Z'),
    fakeFile('mysql-bin.000002', '2026-12-02T09:00:00Z', '2026-12-02T10:00:00Z'),
    fakeFile('mysql-bin.000005', '2026-12-02T13:00:00Z', '2026-12-02T14:00:00Z'),
    fakeFile('mysql-bin.000006', '2026-12-02T14:00:00Z', '2026-12-02T15:00:00Z'),
  ];
  const timeline = buildTimeline('app-db', [...files].reverse());

  test('missing sequence numbers are a gap with the time range nothing covers; the newest event is the RPO point', () => {
    expect(timeline.files.map((file) => file.entry.name)).toEqual(files.map((file) => file.entry.name));
    expect(timeline.gaps).toEqual([
      { stream: 'mysql-bin', after: 'mysql-bin.000002', before: 'mysql-bin.000005', missing: 2, from: '2026-12-02T10:00:00Z', to: '2026-12-02T13:00:00Z' },
    ]);
    expect(timeline.newestEventAt).toBe('2026-12-02T15:00:00Z');
  });

  test('replay runs from the base file to the file holding the stop point', () => {
    const plan = planReplay(timeline, 'mysql-bin.000001', { kind: 'time', at: new Date('2026-12-02T09:30:00Z') });
    expect(plan.map((file) => file.entry.name)).toEqual(['mysql-bin.000001', 'mysql-bin.000002']);
    const byEvent = planReplay(timeline, 'mysql-bin.000005', { kind: 'event', name: 'mysql-bin.000006', position: 500 });
    expect(byEvent.map((file) => file.entry.name)).toEqual(['mysql-bin.000005', 'mysql-bin.000006']);
  });

  test('replay across the gap is refused with exit 2 and the gap time range', () => {
    const error = (() => {
      try {
        planReplay(timeline, 'mysql-bin.000002', { kind: 'time', at: new Date('2026-12-02T13:30:00Z') });
      } catch (caught) {
        return caught as DrcError;
      }
      return undefined;
    })();
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain('2 file(s) missing between mysql-bin.000002 and mysql-bin.000005');
    expect(error?.message).toContain('2026-12-02T10:00:00Z and 2026-12-02T13:00:00Z');
  });

  test('a stop point past the newest archived event, or a base never archived, is refused', () => {
    expect(() => planReplay(timeline, 'mysql-bin.000005', { kind: 'time', at: new Date('2026-12-02T16:00:00Z') })).toThrow(/reaches only to mysql-bin.000006/);
    expect(() => planReplay(timeline, 'mysql-bin.000003', { kind: 'time', at: new Date('2026-12-02T16:00:00Z') })).toThrow(/never archived/);
  });

  test('retention keeps the files from the oldest kept base on', () => {
    expect(planArchiveRetention(timeline, 'mysql-bin.000005').map((file) => file.entry.name)).toEqual(['mysql-bin.000001', 'mysql-bin.000002']);
    expect(planArchiveRetention(timeline, undefined)).toEqual([]);
  });

  test('removing archived files takes the entry first, then the data', async () => {
    const all = await targets();
    const file = path.join(tmp.dir, `r-${uniqueSuffix()}`);
    await writeFile(file, 'old binlog');
    await push(all, 'mysql-bin.000007', file);
    const loaded = await loadArchiveTimeline(all, 'app-db');
    expect(await removeArchivedFiles(all, loaded.files)).toBe(1);
    for (const target of all) expect(await target.listArchive('app-db')).toEqual([]);
  });
});

describe('parsePointInTime', () => {
  const now = new Date('2026-12-02T18:00:00Z');
  test('ISO-8601 with an offset, a wall clock in a named zone (winter and summer time), and a duration ago', () => {
    expect(parsePointInTime('2026-12-02T17:59:30Z', { now }).at.toISOString()).toBe('2026-12-02T17:59:30.000Z');
    expect(parsePointInTime('2026-12-02T18:59:30+01:00', { now }).at.toISOString()).toBe('2026-12-02T17:59:30.000Z');
    expect(parsePointInTime('2026-12-02 17:59:30', { now, timeZone: 'Europe/Berlin' }).at.toISOString()).toBe('2026-12-02T16:59:30.000Z');
    expect(parsePointInTime('2026-07-01 12:00:00', { now, timeZone: 'Europe/Berlin' }).at.toISOString()).toBe('2026-07-01T10:00:00.000Z');
    expect(parsePointInTime('2026-12-02 17:59:30', { now, timeZone: 'UTC' }).readAs).toBe('wall clock in UTC');
    expect(parsePointInTime('5m', { now }).at.toISOString()).toBe('2026-12-02T17:55:00.000Z');
  });
  test('garbage and the future are refused with a hint', () => {
    expect(() => parsePointInTime('yesterday-ish', { now })).toThrow(/not a time/);
    expect(() => parsePointInTime('2026-12-03T00:00:00Z', { now })).toThrow(/in the future/);
    expect(() => parsePointInTime('2026-12-02 10:00:00', { now, timeZone: 'Mars/Base' })).toThrow(/not known/);
  });
});

describe('chooseBaseBefore', () => {
  const entry = (id: string, finishedAt: string, withCoordinates: boolean) =>
    ({ id, manifest: { items: [{ source: 'app-db', finishedAt, ...(withCoordinates ? { binlog: { file: 'mysql-bin.000001', position: 4 } } : {}) }] } }) as unknown as CatalogEntry;
  const catalog = [entry('c', '2026-12-02T12:00:00Z', true), entry('b', '2026-12-02T06:00:00Z', false), entry('a', '2026-12-02T02:00:00Z', true)];
  const canReplay = (item: object) => 'binlog' in item;
  test('takes the newest usable backup finished by the time', () => {
    expect(chooseBaseBefore(catalog, 'app-db', new Date('2026-12-02T11:00:00Z'), canReplay).setId).toBe('a');
    expect(chooseBaseBefore(catalog, 'app-db', new Date('2026-12-02T13:00:00Z'), canReplay).setId).toBe('c');
  });
  test('refuses when every usable backup is newer', () => {
    expect(() => chooseBaseBefore(catalog, 'app-db', new Date('2026-12-02T01:00:00Z'), canReplay)).toThrow(/oldest that can start a replay finished 2026-12-02T02:00:00Z/);
  });
});

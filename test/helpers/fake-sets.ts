import { createHash, randomBytes } from 'node:crypto';
import { MANIFEST_FILE, MANIFEST_FORMAT, SUMS_FILE, type Manifest, type ManifestItem } from '../../src/sets/manifest.js';
import type { SetTrust } from '../../src/sets/sealed-manifest.js';
import { makeSetId } from '../../src/sets/set-id.js';
import { createDocumentTrust } from '../../src/trust/authenticate.js';
import type { Target } from '../../src/storage/types.js';

export interface FakeItem {
  source: string;
  type?: ManifestItem['type'];
  /** Stored bytes written (random, so the file is real and checksummed). Default 64. */
  bytes?: number;
  /** Plain size claimed in the manifest; default 10× the stored bytes. */
  plainBytes?: number;
  tables?: Array<{ name: string; rows: number }>;
}

export interface FakeSet {
  time: Date;
  host?: string;
  status?: Manifest['status'];
  items: FakeItem[];
  /** Leave the manifest without a seal, as drc wrote sets before it sealed them. */
  unsealed?: boolean;
}

/** The passphrase fake sets are sealed with (a MAC, as for a passphrase-only config). */
export const FAKE_SET_PASSPHRASE = 'fake-set passphrase';

/** How tests read fake sets: trusting the MAC of FAKE_SET_PASSPHRASE. */
export async function fakeSetTrust(stateDir: string, allowUnsealed = false): Promise<SetTrust> {
  return { documents: await createDocumentTrust({ passphrase: FAKE_SET_PASSPHRASE }), allowUnsealed, stateDir };
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * Writes a small but valid backup set through the Target API: real item files with their
 * SHA256SUMS and a manifest that parses, written last like the backup engine does. The item
 * content is random bytes rather than a real encrypted dump; retention and status only read
 * manifests and sizes, so that is all these tests need. The manifest is sealed with a MAC of
 * FAKE_SET_PASSPHRASE unless `unsealed`. Returns the set id.
 */
export async function writeFakeSet(target: Target, set: FakeSet): Promise<string> {
  const id = makeSetId(set.time, set.host ?? 'web1');
  const items: ManifestItem[] = [];
  const sums: string[] = [];
  for (const item of set.items) {
    const type = item.type ?? 'postgres';
    const file = `${item.source}.${type === 'files' ? 'tar' : 'dump'}.zst.gpg`;
    const data = randomBytes(item.bytes ?? 64);
    await target.writeFile(id, file, data);
    sums.push(`${sha256(data)}  ${file}`);
    items.push({
      source: item.source,
      type,
      file,
      storedBytes: data.length,
      sha256: sha256(data),
      plain: { bytes: item.plainBytes ?? data.length * 10, sha256: sha256(`plain ${file}`) },
      compression: 'zstd',
      encryption: 'openpgp',
      startedAt: set.time.toISOString(),
      finishedAt: set.time.toISOString(),
      ...(item.tables ? { tables: item.tables } : {}),
    });
  }
  await target.writeFile(id, SUMS_FILE, sums.join('\n') + '\n');
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    set: id,
    host: set.host ?? 'web1',
    drcVersion: '0.0.0-test',
    startedAt: set.time.toISOString(),
    finishedAt: set.time.toISOString(),
    status: set.status ?? 'complete',
    encryption: { passphrase: true, recipients: [], cipher: 'AES-256' },
    items,
    failures: set.status === 'partial' ? [{ source: 'other', type: 'files', error: 'failed in a test' }] : [],
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2));
  if (!set.unsealed) {
    const seal = await (await createDocumentTrust({ passphrase: FAKE_SET_PASSPHRASE })).seal(bytes);
    await target.writeFile(id, `${MANIFEST_FILE}${seal.suffix}`, seal.content);
  }
  await target.writeFile(id, MANIFEST_FILE, bytes);
  return id;
}

/** A daily set at 02:15 UTC for each day from `first` for `days` days, skipping `skip` dates (YYYY-MM-DD). */
export function dailyTimes(first: string, days: number, skip: string[] = []): Date[] {
  const times: Date[] = [];
  for (let day = 0; day < days; day += 1) {
    const time = new Date(Date.parse(`${first}T02:15:00Z`) + day * 86_400_000);
    if (!skip.includes(time.toISOString().slice(0, 10))) times.push(time);
  }
  return times;
}

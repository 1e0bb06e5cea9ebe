import { execa } from 'execa';
import { cp, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replicateSet } from '../../src/backup/replicate.js';
import { readConfigFile, type LoadedConfig } from '../../src/config/parse.js';
import { runDrill } from '../../src/drill/run-drill.js';
import type { DrcEvent } from '../../src/events.js';
import { runRestore } from '../../src/restore/run-restore.js';
import { parseManifest } from '../../src/sets/manifest.js';
import { loadSetTrust } from '../../src/sets/sealed-manifest.js';
import { createLocalTarget } from '../../src/storage/local.js';
import { runVerify } from '../../src/verify/run-verify.js';
import { treeDigest } from '../helpers/fixtures.js';
import { createGpgKey, type TestGpgKey } from '../helpers/gpg.js';
import type { TestMariaDatabase } from '../helpers/mariadb.js';
import type { TestPgDatabase } from '../helpers/postgres.js';
import { makeFixture, mariaDigest, pgDigest, seedMaria, seedPostgres, type Fixture } from '../restore/fixture.js';

/**
 * An attacker with write access to the backup folder (or bucket) but no key. Every case edits a
 * genuine set the way the attacker would, and drc must refuse with exit 2 while the live
 * databases and every folder outside the restore target stay byte-for-byte as they were.
 */
let key: TestGpgKey;
let maria: TestMariaDatabase;
let pg: TestPgDatabase;
let fixture: Fixture;
let loaded: LoadedConfig;
let setId: string;
let setDir: string;
let pristine: string;
let pristineManifest: string;
let outside: string;
let appDir: string;
const live: { maria?: Record<string, string>; pg?: Record<string, string>; outside?: string; app?: string } = {};

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  [maria, pg] = await Promise.all([seedMaria('drc_hostile'), seedPostgres('drc_hostile')]);
  const { dir } = await makeFixture([]); // a folder to hold the key and the victims
  key = await createGpgKey('DR Ops', dir);
  outside = path.join(dir, 'outside');
  appDir = path.join(dir, 'srv', 'app');
  await mkdir(path.join(outside, 'victim'), { recursive: true });
  await writeFile(path.join(outside, 'victim', 'important.txt'), 'do not move me\n');
  await writeFile(path.join(outside, 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
  await mkdir(appDir, { recursive: true });
  await writeFile(path.join(appDir, 'index.php'), '<?php echo 1;\n');
  fixture = await makeFixture(
    [
      { name: 'app-db', type: 'mysql', url: maria.url },
      { name: 'core-db', type: 'postgres', url: pg.url },
      { name: 'app', type: 'files', paths: [appDir] },
    ],
    { encryption: { recipients: [key.publicKeyFile] }, env: { DRC_PRIVATE_KEY_FILE: key.secretKeyFile } },
  );
  await writeFile(fixture.configPath, JSON.stringify({ ...fixture.config, retention: { keepLast: 5 } }, null, 2));
  const backup = await fixture.drc(['backup']);
  expect(backup.exitCode, backup.stderr).toBe(0);
  setDir = await fixture.setDir();
  setId = path.basename(setDir);
  pristine = path.join(fixture.dir, 'pristine');
  pristineManifest = await readFile(path.join(setDir, 'manifest.json'), 'utf8');
  await cp(setDir, pristine, { recursive: true });
  loaded = readConfigFile(fixture.configPath);
  process.env.DRC_PRIVATE_KEY_FILE = key.secretKeyFile;
  live.maria = await mariaDigest(maria);
  live.pg = await pgDigest(pg);
  live.outside = await treeDigest(outside);
  live.app = await treeDigest(appDir);
});

afterAll(async () => {
  delete process.env.DRC_PRIVATE_KEY_FILE;
  await Promise.all([maria?.drop(), pg?.drop()]);
  await rm(path.dirname(outside), { recursive: true, force: true });
  await fixture?.cleanup();
});

beforeEach(async () => {
  // Every case starts from the genuine set (and only it).
  const root = path.dirname(setDir);
  for (const name of await readdir(root)) await rm(path.join(root, name), { recursive: true, force: true });
  await cp(pristine, setDir, { recursive: true });
});

async function expectNothingChanged(): Promise<void> {
  expect(await mariaDigest(maria)).toEqual(live.maria);
  expect(await pgDigest(pg)).toEqual(live.pg);
  expect(await treeDigest(outside)).toBe(live.outside);
  expect(await treeDigest(appDir)).toBe(live.app);
  const tables = await maria.query<unknown[]>(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_name = 'pwned_in_live'`);
  expect(tables).toEqual([]);
}

function collect(): { emit: (event: DrcEvent) => void; text: () => string } {
  const lines: string[] = [];
  return {
    emit: (event) => {
      if (event.type === 'log') lines.push(`${event.message} ${event.hint ?? ''}`);
      if (event.type === 'result') lines.push(event.summary);
    },
    text: () => lines.join('\n'),
  };
}

/** Rewrites manifest.json the way an attacker would: SHA256SUMS follows; the seal cannot. */
async function forgeManifest(dir: string, change: (manifest: Record<string, any>) => void): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
  change(manifest);
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  await writeFile(path.join(dir, 'SHA256SUMS'), manifest.items.map((item: { sha256: string; file: string }) => `${item.sha256}  ${item.file}\n`).join(''));
}

/** The MySQL dump with SQL appended that writes into the live database, encrypted to the public key. */
async function forgeMysqlDump(): Promise<{ file: string; stored: Buffer; plain: Buffer }> {
  const file = 'app-db.sql.zst.gpg';
  const { stdout: plainDump } = await execa('bash', ['-c', `set -o pipefail; gpg --batch --quiet --decrypt ${file} | zstd -d -q -c`], {
    cwd: setDir,
    env: { GNUPGHOME: key.gnupgHome },
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  const plain = Buffer.concat([Buffer.from(plainDump), Buffer.from(`\nUSE \`${maria.name}\`;\nCREATE TABLE pwned_in_live (i int);\n`)]);
  const { stdout: compressed } = await execa('zstd', ['-q', '-c'], { input: plain, encoding: 'buffer', stripFinalNewline: false });
  const publicKey = await openpgp.readKey({ armoredKey: await readFile(key.publicKeyFile, 'utf8') });
  const encrypted = await openpgp.encrypt({ message: await openpgp.createMessage({ binary: Buffer.from(compressed) }), encryptionKeys: publicKey, format: 'binary' });
  return { file, stored: Buffer.from(encrypted as Uint8Array), plain };
}

describe('hostile backup sets (attacker with write access to the target, no key)', () => {
  it('an item file outside the set (../../…/passwd): the manifest is refused, nothing outside is read or written', async () => {
    await forgeManifest(setDir, (manifest) => {
      manifest.items[0].file = '../../outside/passwd';
    });
    const verify = collect();
    const outcome = await runVerify({ ...loaded, set: setId, deep: false, emit: verify.emit });
    expect(outcome.exitCode).toBe(2);
    expect(verify.text()).toContain('manifest.json is not authentic');
    // Even a manifest that somehow carried a good seal could not name such a file.
    const text = await readFile(path.join(setDir, 'manifest.json'), 'utf8');
    expect(() => parseManifest(text, 'local:set')).toThrow(/items\.0\.file: "..\/..\/outside\/passwd" contains a path separator/);
    await expectNothingChanged();
  });

  it('archived paths that climb out (/../../srv/victim): restore refuses and no live folder is moved', async () => {
    await forgeManifest(setDir, (manifest) => {
      manifest.items.find((item: { source: string }) => item.source === 'app').paths = [`/../../../../../../..${path.join(outside, 'victim')}`];
    });
    const log = collect();
    const outcome = await runRestore({ ...loaded, set: setId, source: 'app', yes: true, emit: log.emit });
    expect(outcome.exitCode).toBe(2);
    expect(log.text()).toContain('manifest.json is not authentic');
    // And a manifest with a good seal still could not name a path that climbs out.
    expect(() => parseManifest(JSON.stringify({ ...JSON.parse(pristineManifest), items: [{ ...JSON.parse(pristineManifest).items[2], paths: ['/../../srv/victim'] }] }), 'local:set')).toThrow(
      /items\.0\.paths\.0: "\/\.\.\/\.\.\/srv\/victim" contains "\.\."/,
    );
    await expectNothingChanged();
  });

  it('a forged MySQL dump (USE live; CREATE TABLE …) with manifest and SHA256SUMS updated: verify --deep, restore and drill refuse, live untouched', async () => {
    const forged = await forgeMysqlDump();
    await writeFile(path.join(setDir, forged.file), forged.stored);
    await forgeManifest(setDir, (manifest) => {
      const item = manifest.items.find((entry: { source: string }) => entry.source === 'app-db');
      Object.assign(item, { sha256: sha256(forged.stored), storedBytes: forged.stored.length, plain: { bytes: forged.plain.length, sha256: sha256(forged.plain) } });
    });
    const verify = collect();
    expect((await runVerify({ ...loaded, set: setId, deep: true, emit: verify.emit })).exitCode).toBe(2);
    expect(verify.text()).toMatch(/manifest\.json is not authentic: sig seal: the OpenPGP signature does not verify/);
    const restore = collect();
    expect((await runRestore({ ...loaded, set: setId, source: 'app-db', yes: true, emit: restore.emit })).exitCode).toBe(2);
    const drill = collect();
    expect((await runDrill({ ...loaded, source: 'app-db', emit: drill.emit })).exitCode).toBe(2);
    expect(drill.text()).toContain('REFUSED');
    await expectNothingChanged();
  });

  it('the same forged dump with the seal stripped (a "legacy" set): refused, even with --allow-unsigned, because it is newer than the first sealed set', async () => {
    const forged = await forgeMysqlDump();
    await writeFile(path.join(setDir, forged.file), forged.stored);
    await forgeManifest(setDir, (manifest) => {
      const item = manifest.items.find((entry: { source: string }) => entry.source === 'app-db');
      Object.assign(item, { sha256: sha256(forged.stored), storedBytes: forged.stored.length, plain: { bytes: forged.plain.length, sha256: sha256(forged.plain) } });
    });
    await rm(path.join(setDir, 'manifest.json.sig'));
    const log = collect();
    const outcome = await runRestore({ ...loaded, set: setId, source: 'app-db', yes: true, allowUnsigned: true, emit: log.emit });
    expect(outcome.exitCode).toBe(2);
    expect(log.text()).toContain('newer than the first sealed set');
    await expectNothingChanged();
  });

  it('only the dump swapped (manifest and seal genuine): the stored sha256 is checked before a byte is loaded', async () => {
    const forged = await forgeMysqlDump();
    await writeFile(path.join(setDir, forged.file), forged.stored);
    const restore = collect();
    expect((await runRestore({ ...loaded, set: setId, source: 'app-db', yes: true, emit: restore.emit })).exitCode).toBe(2);
    expect(restore.text()).toMatch(/app-db\.sql\.zst\.gpg.*(damaged|bytes stored)/);
    const verify = collect();
    expect((await runVerify({ ...loaded, set: setId, deep: true, emit: verify.emit })).exitCode).toBe(2);
    await expectNothingChanged();
  });

  it('a forged newer set makes "latest" refuse instead of stepping over it, and drc backups / prune exit 2 naming it', async () => {
    const planted = path.join(path.dirname(setDir), '2099-01-01T00-00-00Z_attacker');
    await cp(setDir, planted, { recursive: true });
    await forgeManifest(planted, (manifest) => {
      manifest.set = '2099-01-01T00-00-00Z_attacker';
    });
    const log = collect();
    expect((await runRestore({ ...loaded, set: 'latest', source: 'core-db', yes: true, emit: log.emit })).exitCode).toBe(2);
    expect(log.text()).toContain('the newest set 2099-01-01T00-00-00Z_attacker on local is REFUSED');
    const backups = await fixture.drc(['backups']);
    expect(backups.exitCode).toBe(2);
    expect(backups.stderr).toMatch(/2099-01-01T00-00-00Z_attacker: .*manifest\.json is not authentic/);
    const prune = await fixture.drc(['prune'], {});
    expect(prune.exitCode).toBe(2);
    expect(prune.stderr).toContain('nothing on local is pruned');
    expect((await readdir(path.dirname(setDir))).sort()).toEqual([setId, '2099-01-01T00-00-00Z_attacker'].sort());
    await expectNothingChanged();
  });

  it('replication refuses a forged set and writes nothing outside the second target', async () => {
    const planted = '2099-02-02T00-00-00Z_attacker';
    await cp(setDir, path.join(path.dirname(setDir), planted), { recursive: true });
    await forgeManifest(path.join(path.dirname(setDir), planted), (manifest) => {
      manifest.set = planted;
      manifest.items[0].file = '../../escaped.gpg';
    });
    const second = path.join(fixture.dir, 'second', 'root');
    const from = createLocalTarget({ name: 'local', type: 'local', path: path.dirname(setDir) });
    const to = createLocalTarget({ name: 'second', type: 'local', path: second });
    const trust = await loadSetTrust(loaded.config, loaded.stateDir);
    await expect(replicateSet(from, to, planted, trust, () => {})).rejects.toThrow(/manifest\.json is not authentic.*not copied to second/);
    expect(await readdir(path.join(fixture.dir, 'second')).catch(() => [])).toEqual([]);
  });

  it('a genuine unsigned set older than the first sealed set is legacy: refused by default, restored with --allow-unsigned and a loud warning', async () => {
    const oldId = '2020-01-01T00-00-00Z_web1';
    const oldDir = path.join(path.dirname(setDir), oldId);
    await cp(setDir, oldDir, { recursive: true });
    await forgeManifest(oldDir, (manifest) => {
      manifest.set = oldId;
    });
    await rm(path.join(oldDir, 'manifest.json.sig'));
    const refused = collect();
    expect((await runVerify({ ...loaded, set: oldId, deep: false, emit: refused.emit })).exitCode).toBe(2);
    expect(refused.text()).toMatch(/UNSIGNED[\s\S]*--allow-unsigned/);
    const allowed = collect();
    expect((await runVerify({ ...loaded, set: oldId, deep: false, allowUnsigned: true, emit: allowed.emit })).exitCode).toBe(0);
    expect(allowed.text()).toMatch(/!!! .*UNSIGNED.*nothing proves this set came from your backups !!!/);
    await rename(oldDir, path.join(fixture.dir, 'old-set-kept-aside'));
  });
});

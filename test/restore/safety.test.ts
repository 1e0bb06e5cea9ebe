import { execa } from 'execa';
import { open, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pgAdminQuery, type TestPgDatabase } from '../helpers/postgres.js';
import { startS3rver, type TestS3rver } from '../helpers/s3rver.js';
import { makeTempDir } from '../helpers/tmp.js';
import { makeFixture, pgDigest, pgExec, seedPostgres, type Fixture } from './fixture.js';

let s3: TestS3rver;
let db: TestPgDatabase | undefined;
let fixture: Fixture | undefined;
let work: { cleanup: () => Promise<void> } | undefined;

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3.stop();
});
afterEach(async () => {
  await db?.drop();
  await fixture?.cleanup();
  await work?.cleanup();
  db = undefined;
  fixture = undefined;
  work = undefined;
});

/** Flips one byte in the middle of a file, the way a bad sector or a bit flip would. */
async function flipByte(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(1);
    await handle.read(buffer, 0, 1, Math.floor(size / 2));
    buffer[0] = buffer[0]! ^ 0x55;
    await handle.write(buffer, 0, 1, Math.floor(size / 2));
  } finally {
    await handle.close();
  }
}

async function findFile(dir: string, fragment: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const found = entries.find((entry) => entry.isFile() && entry.name.includes(fragment) && !entry.name.includes('metadata'));
  if (!found) throw new Error(`no ${fragment} below ${dir}`);
  return path.join(found.parentPath, found.name);
}

async function leftovers(database: string): Promise<string[]> {
  const { rows } = await pgAdminQuery('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${database}_%`]);
  return rows.map((row) => row.datname as string);
}

/** Generates an OpenPGP key pair (ed25519/cv25519, no passphrase) in a throwaway GnuPG home. */
async function makeKeyPair(dir: string, name: string): Promise<{ publicFile: string; secretFile: string }> {
  const home = path.join(dir, `gnupg-${name}`);
  await execa('mkdir', ['-m', '700', '-p', home]);
  const gpg = (args: string[]) => execa('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args]);
  await gpg(['--quick-gen-key', `${name} <${name}@drc.test>`, 'future-default', 'default', 'never']);
  const publicFile = path.join(dir, `${name}.pub.asc`);
  const secretFile = path.join(dir, `${name}.sec.asc`);
  await writeFile(publicFile, (await gpg(['--armor', '--export', `${name}@drc.test`])).stdout);
  await writeFile(secretFile, (await gpg(['--armor', '--export-secret-keys', `${name}@drc.test`])).stdout);
  return { publicFile, secretFile };
}

async function setUpWithS3(): Promise<{ db: TestPgDatabase; fixture: Fixture; s3Prefix: string }> {
  db = await seedPostgres('drc_safe');
  const temp = await makeTempDir('drc-safe-');
  work = temp;
  const { dir } = temp;
  fixture = await makeFixture([{ name: 'core-db', type: 'postgres', url: db.url }], {
    targets: [
      { name: 'local', type: 'local', path: path.join(dir, 'backups') },
      s3.targetConfig(path.basename(dir)),
    ],
    env: s3.env,
  });
  const backup = await fixture.drc(['backup']);
  expect(backup.exitCode, backup.stderr).toBe(0);
  expect(backup.stderr).toContain('on local, offsite');
  return { db, fixture, s3Prefix: path.basename(dir) };
}

describe('restores that fail leave the live database byte-for-byte as it was', () => {
  it('a wrong passphrase exits 2 naming the cause, before anything is created', async () => {
    db = await seedPostgres('drc_safe');
    fixture = await makeFixture([{ name: 'core-db', type: 'postgres', url: db.url }]);
    expect((await fixture.drc(['backup'])).exitCode).toBe(0);
    await pgExec(db, 'DELETE FROM calls WHERE id < 100');
    const live = await pgDigest(db);
    const run = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--yes'], { DRC_TEST_RESTORE_PASS: 'not-the-right-one' });
    expect(run.exitCode).toBe(2);
    // The manifest's MAC is keyed from the passphrase, so a wrong one is caught before any item is opened.
    expect(run.stderr).toMatch(/manifest\.json is not authentic: mac seal: the passphrase MAC does not match: the passphrase set here is not the one it was written with \(wrong passphrase\?\)/);
    expect(await pgDigest(db)).toEqual(live);
    expect(await leftovers(db.name)).toEqual([]);
  });

  it('a set encrypted to a public key restores with its private key (--key or env), and refuses another key', async () => {
    const { dir, cleanup } = await makeTempDir('drc-keys-');
    try {
      const ops = await makeKeyPair(dir, 'ops');
      const stranger = await makeKeyPair(dir, 'stranger');
      db = await seedPostgres('drc_safe');
      fixture = await makeFixture([{ name: 'core-db', type: 'postgres', url: db.url }], { encryption: { recipients: [ops.publicFile] } });
      expect((await fixture.drc(['backup'])).exitCode).toBe(0);
      const original = await pgDigest(db);
      await pgExec(db, 'DELETE FROM orders');
      const damaged = await pgDigest(db);

      const noKey = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--yes']);
      expect(noKey.exitCode).toBe(2);
      expect(noKey.stderr).toContain('no private key given');
      const wrongKey = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--yes', '--key', stranger.secretFile]);
      expect(wrongKey.exitCode).toBe(2);
      expect(wrongKey.stderr).toContain('wrong passphrase or key');
      expect(await pgDigest(db)).toEqual(damaged);
      expect(await leftovers(db.name)).toEqual([]);

      const viaEnv = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--into', `${db.name}_viaenv`, '--yes'], { DRC_PRIVATE_KEY_FILE: ops.secretFile });
      expect(viaEnv.exitCode, viaEnv.stderr).toBe(0);
      const right = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--yes', '--key', ops.secretFile]);
      expect(right.exitCode, right.stderr).toBe(0);
      expect(await pgDigest(db)).toEqual(original);
    } finally {
      await cleanup();
    }
  });

  it('a flipped byte in the local copy makes drc say so and restore from the S3 copy', async () => {
    const { db, fixture } = await setUpWithS3();
    const original = await pgDigest(db);
    await pgExec(db, 'DROP TABLE notes');
    await flipByte(path.join(await fixture.setDir(), 'core-db.dump.zst.gpg'));

    const run = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/core-db\.dump\.zst\.gpg on target local is damaged \(.*\); using the copy on offsite instead/);
    expect(await pgDigest(db)).toEqual(original);
  });

  it('a flipped byte in every copy exits 2 and changes nothing', async () => {
    const { db, fixture, s3Prefix } = await setUpWithS3();
    await pgExec(db, 'DELETE FROM calls WHERE id > 10');
    const live = await pgDigest(db);
    await flipByte(path.join(await fixture.setDir(), 'core-db.dump.zst.gpg'));
    await flipByte(await findFile(path.join(s3.dir, s3.bucket, s3Prefix), 'core-db.dump.zst.gpg'));

    const run = await fixture.drc(['restore', 'latest', '--source', 'core-db', '--yes']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('every copy of core-db.dump.zst.gpg');
    expect(run.stderr).toContain('nothing live was changed');
    expect(await pgDigest(db)).toEqual(live);
    expect(await leftovers(db.name)).toEqual([]);
  });
});

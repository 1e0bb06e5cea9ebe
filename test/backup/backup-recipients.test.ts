import { execa } from 'execa';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrc } from '../helpers/drc.js';
import { writeJson } from '../helpers/fixtures.js';
import { makeSigningConfig } from '../helpers/signing.js';
import { createGpgKey, type TestGpgKey } from '../helpers/gpg.js';
import { createPgDatabase, type TestPgDatabase } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('drc backup encrypted to an OpenPGP public key', () => {
  let pgDb: TestPgDatabase;
  let key: TestGpgKey;
  let work: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    [pgDb, work] = await Promise.all([createPgDatabase(), makeTempDir()]);
    key = await createGpgKey('DR Ops', work.dir);
    await pgDb.query(`CREATE TABLE invoices (id int PRIMARY KEY, cents int); INSERT INTO invoices SELECT g, g * 100 FROM generate_series(1, 250) g`);
  });
  afterAll(async () => {
    await Promise.all([pgDb?.drop(), work?.cleanup()]);
  });

  it('needs only the public key on the backup host; GnuPG with the private key decrypts it', async () => {
    const config = path.join(work.dir, 'drc.json');
    await writeJson(config, {
      sources: [{ name: 'billing', type: 'postgres', url: pgDb.url }],
      targets: [{ name: 'local', type: 'local', path: path.join(work.dir, 'backups') }],
      encryption: { recipients: [key.publicKeyFile] },
      signing: await makeSigningConfig(work.dir).then(({ publicKey, keyFile }) => ({ publicKey, keyFile })),
      stateDir: path.join(work.dir, 'state'),
    });
    const run = await runDrc(['--config', config, 'backup']);
    expect(run.exitCode, run.stderr).toBe(0);
    const [setId] = await readdir(path.join(work.dir, 'backups'));
    const setDir = path.join(work.dir, 'backups', setId!);
    const manifest = JSON.parse(await readFile(path.join(setDir, 'manifest.json'), 'utf8'));
    expect(manifest.encryption).toEqual({ passphrase: false, recipients: [key.fingerprint], cipher: 'AES-256' });

    const packets = await execa('gpg', ['--batch', '--verbose', '--list-packets', 'billing.dump.zst.gpg'], { cwd: setDir, env: { GNUPGHOME: key.gnupgHome }, reject: false });
    expect(packets.stdout).toMatch(/:encrypted data packet:[\s\S]*mdc_method: 2/); // SEIPDv1 with MDC, no AEAD
    expect(packets.stderr).toMatch(/AES256 encrypted data/);

    const restored = await execa('bash', ['-c', 'set -o pipefail; gpg --batch --quiet --decrypt billing.dump.zst.gpg | zstd -d -q -c | pg_restore --list'], {
      cwd: setDir,
      env: { GNUPGHOME: key.gnupgHome },
    });
    expect(restored.stdout).toMatch(/TABLE DATA public invoices/);
  });

  it('refuses a recipients file that is not a public key, naming the file and the fix', async () => {
    const config = path.join(work.dir, 'bad.json');
    await writeJson(config, {
      sources: [{ name: 'billing', type: 'postgres', url: pgDb.url }],
      targets: [{ name: 'local', type: 'local', path: path.join(work.dir, 'backups-bad') }],
      encryption: { recipients: [key.secretKeyFile] },
      stateDir: path.join(work.dir, 'state'),
    });
    const run = await runDrc(['--config', config, 'backup']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`encryption.recipients: ${key.secretKeyFile} holds a PRIVATE key`);
    expect(await readdir(path.join(work.dir, 'backups-bad')).catch(() => [])).toEqual([]);
  });
});

import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrc } from '../helpers/drc.js';
import { makeAppTree, seedMaria, seedPostgres, treeDigest, writeJson } from '../helpers/fixtures.js';
import { createMariaDatabase, type TestMariaDatabase } from '../helpers/mariadb.js';
import { createPgDatabase, pgAdminQuery, type TestPgDatabase } from '../helpers/postgres.js';
import { startS3rver, type TestS3rver } from '../helpers/s3rver.js';
import { makeTempDir } from '../helpers/tmp.js';

const PASSPHRASE = 'Tr0ub4dor&3-horse-battery';

/**
 * The backup-set contract: one `drc backup` of PostgreSQL, MariaDB and files to a local folder
 * and S3, then a restore with standard tools only (no drc code) gives back every row and file.
 */
describe('drc backup to local and S3, restored with standard tools', () => {
  let pgDb: TestPgDatabase;
  let mariaDb: TestMariaDatabase;
  let s3: TestS3rver;
  let work: { dir: string; cleanup: () => Promise<void> };
  let env: Record<string, string>;
  let setDir: string;
  let setId: string;

  beforeAll(async () => {
    work = await makeTempDir();
    [pgDb, mariaDb, s3] = await Promise.all([createPgDatabase(), createMariaDatabase(), startS3rver()]);
    await Promise.all([seedPostgres(pgDb), seedMaria(mariaDb), makeAppTree(path.join(work.dir, 'app'))]);
    env = { DRC_PASSPHRASE: PASSPHRASE, ...s3.env };
    await writeJson(path.join(work.dir, 'drc.json'), {
      sources: [
        { name: 'core-db', type: 'postgres', url: pgDb.url },
        { name: 'app-db', type: 'mysql', url: mariaDb.url },
        { name: 'app', type: 'files', paths: [path.join(work.dir, 'app')], exclude: ['node_modules', 'storage/logs'] },
      ],
      targets: [{ name: 'local', type: 'local', path: path.join(work.dir, 'backups') }, s3.targetConfig('prod')],
      encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
      stateDir: path.join(work.dir, 'state'),
    });
    const run = await runDrc(['--config', path.join(work.dir, 'drc.json'), '--json', 'backup'], { env });
    expect(run.stderr).toBe('');
    expect(run.exitCode, run.stdout).toBe(0);
    const result = run.events.find((event) => event.type === 'result')!;
    setId = (result.data as { setId: string }).setId;
    setDir = path.join(work.dir, 'backups', setId);
  });

  afterAll(async () => {
    await Promise.all([pgDb?.drop(), mariaDb?.drop(), s3?.stop()]);
    await work?.cleanup();
  });

  it('writes the fixed layout with private modes: items, SHA256SUMS, RESTORE.md, manifest.json', async () => {
    expect(setId).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z_[\w.-]+$/);
    expect((await readdir(setDir)).sort()).toEqual(
      ['RESTORE.md', 'SHA256SUMS', 'app-db.sql.zst.gpg', 'app.tar.zst.gpg', 'core-db.dump.zst.gpg', 'drc.config.json.zst.gpg', 'drc.system.json.zst.gpg', 'manifest.json', 'manifest.json.mac'].sort(),
    );
    expect((await stat(setDir)).mode & 0o777).toBe(0o700);
    for (const file of await readdir(setDir)) expect((await stat(path.join(setDir, file))).mode & 0o777).toBe(0o600);
    const { stdout } = await execa('sha256sum', ['-c', 'SHA256SUMS'], { cwd: setDir });
    expect(stdout.split('\n').filter((line) => line.endsWith(': OK'))).toHaveLength(5);
  });

  it('records per-table row counts, versions, sizes and hashes in the manifest', async () => {
    const manifest = JSON.parse(await readFile(path.join(setDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'drc-backup-set/1', set: setId, status: 'complete', failures: [] });
    const core = manifest.items.find((item: { source: string }) => item.source === 'core-db');
    expect(core.tables).toContainEqual({ name: 'public.calls', rows: 600 });
    expect(core.tables).toContainEqual({ name: 'public.Billing Snapshots', rows: 10 });
    expect(core.serverVersion).toMatch(/^15\./);
    expect(core.rowCountMethod).toMatch(/snapshot/);
    const app = manifest.items.find((item: { source: string }) => item.source === 'app-db');
    expect(app.tables).toEqual([
      { name: 'billing_lines', rows: 600 },
      { name: 'calls', rows: 600 },
      { name: 'companies', rows: 3 },
      { name: 'empty_table', rows: 0 },
    ]);
    expect(app.rowCountMethod).toMatch(/dump stream/);
  });

  it('decrypts with GnuPG and restores PostgreSQL with pg_restore: every row count matches', async () => {
    const gnupg = await mkdtemp(path.join(work.dir, 'gnupg-'));
    const restored = `${pgDb.name}_byhand`;
    await pgAdminQuery(`CREATE DATABASE "${restored}"`);
    await execa(
      'bash',
      ['-c', `set -o pipefail; gpg --batch --quiet --pinentry-mode loopback --passphrase-fd 3 --decrypt core-db.dump.zst.gpg 3<<<"$DRC_PASSPHRASE" | zstd -d -q -c | pg_restore --exit-on-error --no-owner -h /var/run/postgresql -U postgres -d ${restored}`],
      { cwd: setDir, env: { ...env, GNUPGHOME: gnupg } },
    );
    for (const table of ['companies', 'customers', 'appointments', 'calls', '"Billing Snapshots"']) {
      const original = await pgDb.query(`SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) AS h, count(*) AS n FROM ${table} t`);
      const copy = await execa('psql', ['-h', '/var/run/postgresql', '-U', 'postgres', '-d', restored, '-Atc', `SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) || ' ' || count(*) FROM ${table} t`]);
      expect(copy.stdout.trim()).toBe(`${original.rows[0]!.h} ${original.rows[0]!.n}`);
    }
  });

  it('restores MariaDB with the mariadb client: every row identical', async () => {
    const gnupg = await mkdtemp(path.join(work.dir, 'gnupg-'));
    const restored = `${mariaDb.name}_byhand`;
    await execa('mariadb', ['-e', `CREATE DATABASE \`${restored}\``]);
    await execa(
      'bash',
      ['-c', `set -o pipefail; gpg --batch --quiet --pinentry-mode loopback --passphrase-fd 3 --decrypt app-db.sql.zst.gpg 3<<<"$DRC_PASSPHRASE" | zstd -d -q -c | mariadb ${restored}`],
      { cwd: setDir, env: { ...env, GNUPGHOME: gnupg } },
    );
    for (const table of ['companies', 'calls', 'billing_lines', 'empty_table']) {
      const checksum = async (db: string) => (await execa('mariadb', ['-N', '-e', `CHECKSUM TABLE \`${db}\`.\`${table}\`; SELECT COUNT(*) FROM \`${db}\`.\`${table}\``])).stdout.replace(db, 'DB');
      expect(await checksum(restored)).toBe(await checksum(mariaDb.name));
    }
    const views = await execa('mariadb', ['-N', '-e', `SELECT COUNT(*) FROM \`${restored}\`.call_totals`]);
    expect(views.stdout.trim()).toBe('3');
  });

  it('restores files with tar: modes, symlinks and contents identical, excludes left out', async () => {
    const gnupg = await mkdtemp(path.join(work.dir, 'gnupg-'));
    const out = await mkdtemp(path.join(work.dir, 'files-'));
    await execa(
      'bash',
      ['-c', `set -o pipefail; gpg --batch --quiet --pinentry-mode loopback --passphrase-fd 3 --decrypt "${setDir}/app.tar.zst.gpg" 3<<<"$DRC_PASSPHRASE" | zstd -d -q -c | tar -xpf - -C "${out}"`],
      { env: { ...env, GNUPGHOME: gnupg } },
    );
    const restoredApp = path.join(out, work.dir, 'app');
    const expected = (await treeDigest(path.join(work.dir, 'app'))).split('\n').filter((line) => !/node_modules|storage\/logs/.test(line));
    expect((await treeDigest(restoredApp)).split('\n')).toEqual(expected);
  });

  it('stores a byte-identical copy on S3, manifest included', async () => {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    for (const file of await readdir(setDir)) {
      const local = await readFile(path.join(setDir, file));
      const object = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `prod/${setId}/${file}` }));
      const remote = Buffer.from(await object.Body!.transformToByteArray());
      expect(remote.equals(local), file).toBe(true);
    }
    client.destroy();
  });
});

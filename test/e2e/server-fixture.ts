import { createHash } from 'node:crypto';
import { chmod, chown, lchown, lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createMariaDatabase, type TestMariaDatabase } from '../helpers/mariadb.js';
import { createPgDatabase, pgAdminQuery, type TestPgDatabase } from '../helpers/postgres.js';
import { startS3rver, type TestS3rver } from '../helpers/s3rver.js';
import { makeTempDir } from '../helpers/tmp.js';
import { runDrc, type DrcRun } from '../helpers/drc.js';

export const PASS_ENV = 'DRC_TEST_SERVER_PASS';
const PASSPHRASE = 'server-lost-test-passphrase-7d1f';

/**
 * A small "server" for the bare-metal tests: a PostgreSQL and a MariaDB database with rows,
 * a files tree with modes, owners and a symlink, a config backing up to a local folder and an
 * S3 bucket (s3rver), and a state folder. Everything under one temp folder or uniquely named.
 */
export interface TestServer {
  dir: string;
  s3: TestS3rver;
  pg: TestPgDatabase;
  maria: TestMariaDatabase;
  appDir: string;
  configFile: string;
  stateDir: string;
  localTarget: string;
  prefix: string;
  env: Record<string, string>;
  drc(args: string[], options?: { env?: Record<string, string> }): Promise<DrcRun>;
  /** Row counts of both databases, and names/modes/owners/checksums of every file. */
  snapshot(): Promise<{ pgRows: Record<string, number>; mariaRows: Record<string, number>; files: Record<string, string> }>;
  /** The disaster: databases, files, config, state and local target gone. */
  wipe(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function makeTestServer(options: { s3?: TestS3rver; prefix?: string } = {}): Promise<TestServer> {
  const { dir, cleanup } = await makeTempDir('drc-server-');
  const s3 = options.s3 ?? (await startS3rver());
  const pg = await createPgDatabase('drc_lost_pg');
  const maria = await createMariaDatabase('drc_lost_my');
  await pg.query(`CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL); CREATE TABLE invoices (id serial PRIMARY KEY, customer int REFERENCES customers(id), cents int)`);
  await pg.query(`INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, 250) g; INSERT INTO invoices (customer, cents) SELECT 1 + g % 250, g * 7 FROM generate_series(1, 900) g`);
  await maria.query(`CREATE TABLE calls (id INT AUTO_INCREMENT PRIMARY KEY, caller VARCHAR(40), seconds INT) ENGINE=InnoDB; CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(80)) ENGINE=InnoDB`);
  await maria.query(`INSERT INTO calls (caller, seconds) SELECT CONCAT('+4930', seq), seq % 300 FROM seq_1_to_700`);
  await maria.query(`INSERT INTO users (id, email) SELECT seq, CONCAT('u', seq, '@example.test') FROM seq_1_to_40`);

  const appDir = path.join(dir, 'srv', 'www', 'app');
  await mkdir(path.join(appDir, 'storage', 'uploads'), { recursive: true });
  await writeFile(path.join(appDir, '.env'), 'APP_NAME=lost\nDB_DATABASE=app\n');
  await chmod(path.join(appDir, '.env'), 0o640);
  await writeFile(path.join(appDir, 'artisan'), '#!/usr/bin/env php\n');
  await chmod(path.join(appDir, 'artisan'), 0o755);
  await writeFile(path.join(appDir, 'storage', 'uploads', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]));
  await symlink('storage/uploads', path.join(appDir, 'public-uploads'));
  // Owners other than root: what a web server's files look like (www-data is uid 33 on Debian).
  await chown(path.join(appDir, 'storage'), 33, 33);
  await chown(path.join(appDir, 'storage', 'uploads'), 33, 33);
  await chown(path.join(appDir, 'storage', 'uploads', 'logo.png'), 1234, 33);
  await lchown(path.join(appDir, 'public-uploads'), 33, 33);
  await chmod(path.join(appDir, 'storage'), 0o2775);

  const prefix = options.prefix ?? `lost-${Date.now().toString(36)}`;
  const stateDir = path.join(dir, 'state');
  const localTarget = path.join(dir, 'backups');
  const configFile = path.join(dir, 'etc', 'drc.json');
  const config = {
    sources: [
      { name: 'core-db', type: 'postgres', url: pg.url, checks: [{ name: 'customers present', sql: 'SELECT COUNT(*) > 0 FROM customers', expect: true }] },
      { name: 'app-db', type: 'mysql', url: maria.url },
      { name: 'app', type: 'files', paths: [appDir] },
    ],
    targets: [{ name: 'local', type: 'local', path: localTarget }, s3.targetConfig(prefix)],
    encryption: { passphraseEnv: PASS_ENV },
    objectives: { rto: '2h', rpo: '1h' },
    stateDir,
  };
  await mkdir(path.dirname(configFile), { recursive: true });
  await writeFile(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
  const env = { ...s3.env, [PASS_ENV]: PASSPHRASE };

  return {
    dir,
    s3,
    pg,
    maria,
    appDir,
    configFile,
    stateDir,
    localTarget,
    prefix,
    env,
    drc: (args, extra = {}) => runDrc(args, { env: { ...env, ...extra.env } }),
    async snapshot() {
      const pgRows: Record<string, number> = {};
      for (const table of ['customers', 'invoices']) {
        pgRows[table] = Number((await pgAdminQueryOn(pg.name, `SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
      }
      const mariaRows: Record<string, number> = {};
      for (const table of ['calls', 'users']) {
        const rows = await maria.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM \`${maria.name}\`.${table}`);
        mariaRows[table] = Number(rows[0]!.n);
      }
      return { pgRows, mariaRows, files: await describeTree(appDir) };
    },
    async wipe() {
      await pgAdminQuery(`DROP DATABASE IF EXISTS "${pg.name}" WITH (FORCE)`);
      await maria.query(`DROP DATABASE IF EXISTS \`${maria.name}\``);
      await rm(path.join(dir, 'srv'), { recursive: true, force: true });
      await rm(path.dirname(configFile), { recursive: true, force: true });
      await rm(stateDir, { recursive: true, force: true });
      await rm(localTarget, { recursive: true, force: true });
    },
    async cleanup() {
      await pg.drop().catch(() => {});
      await maria.drop().catch(() => {});
      if (!options.s3) await s3.stop();
      await cleanup();
    },
  };
}

async function pgAdminQueryOn(database: string, sql: string) {
  const pgModule = await import('pg');
  const client = new pgModule.default.Client({ host: '/var/run/postgresql', user: 'postgres', database });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Every entry below a folder: type, mode, owner, and content checksum or link target. */
export async function describeTree(root: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  const top = await lstat(root);
  tree['.'] = `dir ${(top.mode & 0o7777).toString(8)} ${top.uid}:${top.gid}`;
  for (const name of (await readdir(root, { recursive: true })).sort()) {
    const full = path.join(root, name);
    const info = await lstat(full);
    const owner = `${(info.mode & 0o7777).toString(8)} ${info.uid}:${info.gid}`;
    if (info.isSymbolicLink()) tree[name] = `link ${owner} -> ${await readlink(full)}`;
    else if (info.isDirectory()) tree[name] = `dir ${owner}`;
    else tree[name] = `file ${owner} ${createHash('sha256').update(await readFile(full)).digest('hex')}`;
  }
  return tree;
}

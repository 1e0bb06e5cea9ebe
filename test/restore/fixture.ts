import { execa } from 'execa';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runDrc, type DrcRun } from '../helpers/drc.js';
import { createMariaDatabase, type TestMariaDatabase } from '../helpers/mariadb.js';
import { createPgDatabase, type TestPgDatabase } from '../helpers/postgres.js';
import { makeSigningConfig } from '../helpers/signing.js';
import { makeTempDir } from '../helpers/tmp.js';

export const PASSPHRASE_ENV = 'DRC_TEST_RESTORE_PASS';
export const PASSPHRASE = 'restore-test-passphrase-7Q';

/** A config document for drc, written to a temp dir with its own backup folders and state. */
export interface Fixture {
  dir: string;
  configPath: string;
  config: Record<string, unknown>;
  env: Record<string, string>;
  drc(args: string[], env?: Record<string, string | undefined>): Promise<DrcRun>;
  /** The newest set folder on a local target. */
  setDir(target?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function makeFixture(
  sources: Array<Record<string, unknown>>,
  options: {
    targets?: Array<Record<string, unknown>>;
    encryption?: Record<string, unknown>;
    objectives?: Record<string, string>;
    env?: Record<string, string>;
    /** Pin a signing key (created in the fixture folder); default: only when there is no passphrase to seal with. */
    signing?: boolean;
  } = {},
): Promise<Fixture> {
  const { dir, cleanup } = await makeTempDir('drc-restore-');
  const targets = options.targets ?? [{ name: 'local', type: 'local', path: path.join(dir, 'backups') }];
  const encryption = options.encryption ?? { passphraseEnv: PASSPHRASE_ENV };
  const signing = options.signing ?? !('passphraseEnv' in encryption || 'passphraseFile' in encryption);
  const config = {
    sources,
    targets,
    encryption,
    ...(signing ? { signing: await makeSigningConfig(dir).then(({ publicKey, keyFile }) => ({ publicKey, keyFile })) } : {}),
    ...(options.objectives ? { objectives: options.objectives } : {}),
    stateDir: path.join(dir, 'state'),
  };
  const configPath = path.join(dir, 'drc.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const env = { [PASSPHRASE_ENV]: PASSPHRASE, ...options.env };
  return {
    dir,
    configPath,
    config,
    env,
    drc: (args, extra) => runDrc(['--config', configPath, ...args], { env: { ...env, ...extra } }),
    async setDir(target = 'local') {
      const root = (targets.find((entry) => entry.name === target) as { path: string }).path;
      const sets = (await readdir(root)).filter((name) => /^\d{4}-/.test(name)).sort();
      return path.join(root, sets.at(-1)!);
    },
    cleanup,
  };
}

/** A PostgreSQL database shaped like Stack B: calls with an index, notes, a FK pair, an awkward name. */
export async function seedPostgres(prefix = 'drc_rst'): Promise<TestPgDatabase> {
  const db = await createPgDatabase(prefix);
  await pgExec(db, `
    CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL);
    CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), amount numeric(10,2));
    CREATE TABLE calls (id serial PRIMARY KEY, started_at timestamptz NOT NULL, transcript text);
    CREATE INDEX calls_started_idx ON calls (started_at);
    CREATE TABLE notes (id serial PRIMARY KEY, body text);
    CREATE TABLE "Weird Name" (k text PRIMARY KEY);
    INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, 200) g;
    INSERT INTO orders (customer_id, amount) SELECT 1 + g % 200, g * 1.25 FROM generate_series(1, 3000) g;
    INSERT INTO calls (started_at, transcript) SELECT timestamptz '2026-01-01' + g * interval '1 minute', repeat('hello ' || g, 5) FROM generate_series(1, 5000) g;
    INSERT INTO notes (body) SELECT 'note ' || g FROM generate_series(1, 50) g;
    INSERT INTO "Weird Name" VALUES ('a'), ('b');
  `);
  return db;
}

/**
 * SQL through psql, one short session: a restore's swap ends every session on the live
 * database, and an idle pooled connection it ended would surface as an unhandled error.
 */
export async function pgExec(db: TestPgDatabase, sql: string, database = db.name): Promise<string> {
  const result = await execa('psql', ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-h', '/var/run/postgresql', '-U', 'postgres', '-d', database, '-At', '-c', sql]);
  return result.stdout;
}

/** Every table's full contents as a digest: equal digests mean byte-for-byte equal data. */
export async function pgDigest(db: TestPgDatabase, database = db.name): Promise<Record<string, string>> {
  const psql = (sql: string) => pgExec(db, sql, database);
  const tables = (await psql(`SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).split('\n').filter(Boolean);
  const digest: Record<string, string> = {};
  for (const table of tables) digest[table] = await psql(`SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM ${table} t`);
  return digest;
}

export async function seedMaria(prefix = 'drc_rst'): Promise<TestMariaDatabase> {
  const db = await createMariaDatabase(prefix);
  await db.query(`
    CREATE TABLE customers (id int AUTO_INCREMENT PRIMARY KEY, name varchar(100) NOT NULL);
    CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL, amount decimal(10,2), FOREIGN KEY (customer_id) REFERENCES customers(id));
    CREATE TABLE calls (id int AUTO_INCREMENT PRIMARY KEY, started_at datetime NOT NULL, transcript text, KEY started (started_at));
    CREATE TABLE notes (id int AUTO_INCREMENT PRIMARY KEY, body text);
    CREATE TRIGGER notes_upper BEFORE INSERT ON notes FOR EACH ROW SET NEW.body = UPPER(NEW.body);
    CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100;
  `);
  await db.query(`INSERT INTO customers (name) SELECT CONCAT('customer ', seq) FROM seq_1_to_200`);
  await db.query(`INSERT INTO orders (customer_id, amount) SELECT 1 + seq % 200, seq * 1.25 FROM seq_1_to_3000`);
  await db.query(`INSERT INTO calls (started_at, transcript) SELECT '2026-01-01' + INTERVAL seq MINUTE, REPEAT(CONCAT('it''s ', seq, ';\\n-- Table structure for table \`notes\`'), 3) FROM seq_1_to_5000`);
  await db.query(`INSERT INTO notes (body) SELECT CONCAT('note ', seq) FROM seq_1_to_50`);
  return db;
}

/** CHECKSUM TABLE plus row counts of every base table, and the list of views. */
export async function mariaDigest(db: TestMariaDatabase, database = db.name): Promise<Record<string, string>> {
  const tables = await db.query<Array<{ name: string; type: string }>>(
    `SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
    [database],
  );
  const digest: Record<string, string> = {};
  for (const table of tables) {
    if (table.type !== 'BASE TABLE') {
      digest[table.name] = 'view';
      continue;
    }
    const [sum] = await db.query<Array<{ Checksum: number }>>(`CHECKSUM TABLE \`${database}\`.\`${table.name}\``);
    const [count] = await db.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM \`${database}\`.\`${table.name}\``);
    digest[table.name] = `${count!.n}:${sum!.Checksum}`;
  }
  return digest;
}

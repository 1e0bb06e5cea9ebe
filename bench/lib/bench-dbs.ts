import mysql from 'mysql2/promise';
import pg from 'pg';

export type Engine = 'postgres' | 'mysql';
/** askpro: the bench's own shape (5 tables, 1.6 KB call rows). wide: 12 KB text rows and 200 small tables. */
export type Shape = 'askpro' | 'wide';

export interface BenchDatabase {
  engine: Engine;
  shape: Shape;
  name: string;
  url: string;
  bytes: number;
}

const PG_ADMIN = { host: '/var/run/postgresql', user: 'postgres', database: 'postgres' };
export const MARIADB_SOCKET = '/run/mysqld/mysqld.sock';
const SMALL_TABLES = 200;
/** ~12 KB of hex words per document row: incompressible for pglz/InnoDB, ~2x for zstd, like scanned-text exports. */
const WIDE_ROW_BYTES = 12_600;
const CALL_ROW_BYTES = 1900;

export function benchDatabaseName(engine: Engine, shape: Shape, megabytes: number): string {
  return shape === 'askpro' && engine === 'postgres' ? `drc_bench2_${megabytes}mb` : `drc_bench2_${engine === 'mysql' ? 'my_' : ''}${shape}_${megabytes}mb`;
}

/** A database of the shape and roughly `megabytes` on disk; reused between runs (building it takes longer than measuring it). */
export async function ensureBenchDatabase(engine: Engine, shape: Shape, megabytes: number): Promise<BenchDatabase> {
  return engine === 'postgres' ? ensurePostgres(shape, megabytes) : ensureMysql(shape, megabytes);
}

async function ensurePostgres(shape: Shape, megabytes: number): Promise<BenchDatabase> {
  const name = benchDatabaseName('postgres', shape, megabytes);
  const admin = new pg.Client(PG_ADMIN);
  await admin.connect();
  try {
    if (!(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount) {
      await admin.query(`CREATE DATABASE "${name}"`);
      const db = new pg.Client({ ...PG_ADMIN, database: name });
      await db.connect();
      try {
        await db.query(shape === 'askpro' ? postgresAskPro(megabytes) : postgresWide(megabytes));
        await db.query('VACUUM ANALYZE');
      } catch (error) {
        await db.end();
        await admin.query(`DROP DATABASE "${name}"`);
        throw error;
      } finally {
        await db.end().catch(() => {});
      }
    }
    const size = await admin.query<{ bytes: string }>('SELECT pg_database_size($1) AS bytes', [name]);
    return { engine: 'postgres', shape, name, url: `postgres://postgres@/${name}?host=/var/run/postgresql`, bytes: Number(size.rows[0]!.bytes) };
  } finally {
    await admin.end();
  }
}

/** Stack A's shape: customers, appointments, calls with long transcripts (~1.6 KB a row, most of the size), billing. */
function postgresAskPro(megabytes: number): string {
  const calls = Math.round((megabytes * 1048576) / CALL_ROW_BYTES);
  return `
          CREATE TABLE companies (id serial PRIMARY KEY, name text);
          CREATE TABLE customers (id serial PRIMARY KEY, company_id int, name text, phone text, email text);
          CREATE TABLE appointments (id serial PRIMARY KEY, customer_id int, starts_at timestamptz, status text);
          CREATE TABLE calls (id bigserial PRIMARY KEY, customer_id int, started_at timestamptz, duration_s int, transcript text, analysis jsonb);
          CREATE TABLE billing_lines (id bigserial PRIMARY KEY, call_id bigint, cents int, period date);
          INSERT INTO companies(name) SELECT 'Praxis ' || g FROM generate_series(1, 50) g;
          INSERT INTO customers(company_id, name, phone, email)
            SELECT 1 + g % 50, 'Kunde ' || g, '+49 30 ' || (1000000 + g), 'kunde' || g || '@example.test' FROM generate_series(1, ${Math.max(1000, calls / 10)}) g;
          INSERT INTO appointments(customer_id, starts_at, status)
            SELECT 1 + g % 1000, now() + (g % 500) * interval '1 hour', (ARRAY['booked','cancelled','done'])[1 + g % 3] FROM generate_series(1, ${Math.max(1000, calls / 4)}) g;
          INSERT INTO calls(customer_id, started_at, duration_s, transcript, analysis)
            SELECT 1 + g % 1000, now() - g * interval '1 minute', 30 + g % 600,
              'Agent: Guten Tag, Praxis ' || (g % 50) || ', wie kann ich helfen? Kunde: Ich hätte gern einen Termin am ' || (g % 28) || '. um ' || (8 + g % 10) || ' Uhr. ' ||
              -- hex digests keep the transcripts about as compressible as real speech-to-text (~3x)
              (SELECT string_agg(md5((g * 97 + i)::text) || CASE WHEN i % 3 = 0 THEN ' Agent: Einen Moment, ich schaue nach.' ELSE ' Kunde: ja' END, ' ')
                 FROM generate_series(1, 1 + g % 24) i),
              jsonb_build_object('sentiment', (ARRAY['positive','neutral','negative'])[1 + g % 3], 'intent', 'booking', 'call', g)
            FROM generate_series(1, ${calls}) g;
          INSERT INTO billing_lines(call_id, cents, period) SELECT g, 12 + g % 90, date '2026-01-01' + (g % 300) FROM generate_series(1, ${calls}) g;
  `;
}

function postgresWide(megabytes: number): string {
  const rows = Math.round((megabytes * 1048576) / WIDE_ROW_BYTES);
  const small = Array.from({ length: SMALL_TABLES }, (_, i) => {
    const table = `setting_${String(i).padStart(3, '0')}`;
    return `CREATE TABLE ${table} (id serial PRIMARY KEY, key text, value text);
            INSERT INTO ${table}(key, value) SELECT 'key' || g, md5(g::text || '${table}') FROM generate_series(1, 40) g;`;
  }).join('\n');
  return `
    ${small}
    CREATE TABLE documents (id bigserial PRIMARY KEY, title text, body text);
    INSERT INTO documents(title, body)
      SELECT 'Dokument ' || g, (SELECT string_agg(md5((g * 1000 + i)::text), ' ') FROM generate_series(1, 380) i)
      FROM generate_series(1, ${rows}) g;
  `;
}

async function ensureMysql(shape: Shape, megabytes: number): Promise<BenchDatabase> {
  const name = benchDatabaseName('mysql', shape, megabytes);
  const admin = await mysql.createConnection({ socketPath: MARIADB_SOCKET, user: 'root', multipleStatements: true });
  try {
    const [found] = await admin.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
    if (!(found as unknown[]).length) {
      await admin.query(`CREATE DATABASE \`${name}\``);
      try {
        await admin.query(`USE \`${name}\``);
        await admin.query(shape === 'askpro' ? mysqlAskPro(megabytes) : mysqlWide(megabytes));
        // InnoDB's sizes in information_schema are estimates until the statistics are refreshed.
        await admin.query(shape === 'askpro' ? 'ANALYZE TABLE calls, billing_lines' : 'ANALYZE TABLE documents');
      } catch (error) {
        await admin.query(`DROP DATABASE \`${name}\``);
        throw error;
      }
    }
    const [sized] = await admin.query('SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [name]);
    const bytes = Number((sized as Array<{ bytes: string }>)[0]!.bytes);
    return { engine: 'mysql', shape, name, url: `mysql://root@localhost/${name}?socket=${MARIADB_SOCKET}`, bytes };
  } finally {
    await admin.end();
  }
}

/** Hex words from sha2 of the row number: as compressible as the PostgreSQL bench's md5 text. */
function hexWords(seed: string, count: number): string {
  return `CONCAT_WS(' ', ${Array.from({ length: count }, (_, i) => `SHA2(CONCAT(${seed}, '-${i}'), 512)`).join(', ')})`;
}

function mysqlAskPro(megabytes: number): string {
  const calls = Math.round((megabytes * 1048576) / CALL_ROW_BYTES);
  return `
    CREATE TABLE companies (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100));
    CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, company_id INT, name VARCHAR(100), phone VARCHAR(40), email VARCHAR(100));
    CREATE TABLE appointments (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT, starts_at DATETIME, status VARCHAR(20));
    CREATE TABLE calls (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT, started_at DATETIME, duration_s INT, transcript MEDIUMTEXT, analysis JSON);
    CREATE TABLE billing_lines (id BIGINT AUTO_INCREMENT PRIMARY KEY, call_id BIGINT, cents INT, period DATE);
    INSERT INTO companies(name) SELECT CONCAT('Praxis ', seq) FROM seq_1_to_50;
    INSERT INTO customers(company_id, name, phone, email)
      SELECT 1 + seq % 50, CONCAT('Kunde ', seq), CONCAT('+49 30 ', 1000000 + seq), CONCAT('kunde', seq, '@example.test') FROM seq_1_to_${Math.max(1000, Math.round(calls / 10))};
    INSERT INTO appointments(customer_id, starts_at, status)
      SELECT 1 + seq % 1000, NOW() + INTERVAL (seq % 500) HOUR, ELT(1 + seq % 3, 'booked', 'cancelled', 'done') FROM seq_1_to_${Math.max(1000, Math.round(calls / 4))};
    INSERT INTO calls(customer_id, started_at, duration_s, transcript, analysis)
      SELECT 1 + seq % 1000, NOW() - INTERVAL seq MINUTE, 30 + seq % 600,
        CONCAT('Agent: Guten Tag, Praxis ', seq % 50, ', wie kann ich helfen? Kunde: Ich hätte gern einen Termin. ', ${hexWords('seq', 10)}),
        JSON_OBJECT('sentiment', ELT(1 + seq % 3, 'positive', 'neutral', 'negative'), 'intent', 'booking', 'call', seq)
      FROM seq_1_to_${calls};
    INSERT INTO billing_lines(call_id, cents, period) SELECT seq, 12 + seq % 90, DATE '2026-01-01' + INTERVAL (seq % 300) DAY FROM seq_1_to_${calls};
  `;
}

function mysqlWide(megabytes: number): string {
  const rows = Math.round((megabytes * 1048576) / WIDE_ROW_BYTES);
  const small = Array.from({ length: SMALL_TABLES }, (_, i) => {
    const table = `setting_${String(i).padStart(3, '0')}`;
    return `CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, k VARCHAR(40), v VARCHAR(64));
            INSERT INTO ${table}(k, v) SELECT CONCAT('key', seq), MD5(CONCAT(seq, '${table}')) FROM seq_1_to_40;`;
  }).join('\n');
  return `
    ${small}
    CREATE TABLE documents (id BIGINT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(100), body MEDIUMTEXT);
    INSERT INTO documents(title, body) SELECT CONCAT('Dokument ', seq), ${hexWords('seq', 98)} FROM seq_1_to_${rows};
  `;
}

export async function dropBenchDatabase(db: Pick<BenchDatabase, 'engine' | 'name'>): Promise<void> {
  if (db.engine === 'postgres') {
    const admin = new pg.Client(PG_ADMIN);
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    return;
  }
  const admin = await mysql.createConnection({ socketPath: MARIADB_SOCKET, user: 'root' });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${db.name}\``);
  } finally {
    await admin.end();
  }
}

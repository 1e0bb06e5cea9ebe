import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

const ADMIN = { host: '/var/run/postgresql', user: 'postgres', database: 'postgres' };

/**
 * A PostgreSQL database shaped like Stack A's (customers, appointments, calls with long
 * transcripts, billing) of roughly `megabytes` on disk. Reused between bench runs: building
 * a few hundred MB takes longer than the benchmark itself.
 */
export async function ensureAskProDatabase(megabytes: number): Promise<{ name: string; url: string; bytes: number }> {
  const name = `drc_bench2_${megabytes}mb`;
  const admin = new pg.Client(ADMIN);
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!exists.rowCount) {
      await admin.query(`CREATE DATABASE "${name}"`);
      const db = new pg.Client({ ...ADMIN, database: name });
      await db.connect();
      try {
        // ~1.6 KB per call row (transcript + metadata) dominates the size, as in production.
        const calls = Math.round((megabytes * 1024 * 1024) / 1900);
        await db.query(`
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
        `);
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
    return { name, url: `postgres://postgres@/${name}?host=/var/run/postgresql`, bytes: Number(size.rows[0]!.bytes) };
  } finally {
    await admin.end();
  }
}

/** The one-source, one-local-target drc config both benchmarks measure with; returns its path. */
export async function writeBenchConfig(workDir: string, databaseUrl: string): Promise<string> {
  const config = path.join(workDir, 'drc.json');
  await writeFile(
    config,
    JSON.stringify({
      sources: [{ name: 'core-db', type: 'postgres', url: databaseUrl }],
      targets: [{ name: 'local', type: 'local', path: path.join(workDir, 'sets') }],
      encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
      stateDir: path.join(workDir, 'state'),
    }),
  );
  return config;
}

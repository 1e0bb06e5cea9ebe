import { execa } from 'execa';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestMariaDatabase } from './mariadb.js';
import type { TestPgDatabase } from './postgres.js';

/** AskPro-like PostgreSQL data: companies, customers, appointments, calls with transcripts, billing. */
export async function seedPostgres(db: TestPgDatabase, scale = 200): Promise<void> {
  await db.query(`
    CREATE TABLE companies (id serial PRIMARY KEY, name text NOT NULL);
    CREATE TABLE customers (id serial PRIMARY KEY, company_id int REFERENCES companies(id), name text, phone text);
    CREATE TABLE appointments (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), starts_at timestamptz, note text);
    CREATE TABLE calls (id bigserial PRIMARY KEY, customer_id int, started_at timestamptz, transcript text, meta jsonb);
    CREATE TABLE "Billing Snapshots" (month date PRIMARY KEY, total_cents bigint, lines jsonb);
    INSERT INTO companies(name) SELECT 'Praxis ' || g FROM generate_series(1, 5) g;
    INSERT INTO customers(company_id, name, phone) SELECT 1 + g % 5, 'Kunde ' || g || ' Müller', '+49 30 ' || g FROM generate_series(1, ${scale}) g;
    INSERT INTO appointments(customer_id, starts_at, note) SELECT 1 + g % ${scale}, now() + g * interval '1 hour', E'Beratung\\t30 min\\n"quoted"' FROM generate_series(1, ${scale * 2}) g;
    INSERT INTO calls(customer_id, started_at, transcript, meta)
      SELECT 1 + g % ${scale}, now() - g * interval '1 minute', repeat('Agent: Guten Tag, wie kann ich helfen? Kunde: Ich möchte einen Termin. ', 1 + g % 7), jsonb_build_object('agent', 'Empfang', 'n', g)
      FROM generate_series(1, ${scale * 3}) g;
    INSERT INTO "Billing Snapshots" SELECT date '2026-01-01' + (g || ' month')::interval, g * 10000, '[]' FROM generate_series(0, 9) g;
  `);
}

export async function seedMaria(db: TestMariaDatabase, scale = 200): Promise<void> {
  await db.query(`
    CREATE TABLE companies (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL) ENGINE=InnoDB;
    CREATE TABLE calls (id BIGINT AUTO_INCREMENT PRIMARY KEY, company_id INT, transcript MEDIUMTEXT, audio BLOB, created_at DATETIME) ENGINE=InnoDB;
    CREATE TABLE billing_lines (id INT AUTO_INCREMENT PRIMARY KEY, call_id BIGINT, cents INT) ENGINE=InnoDB;
    CREATE TABLE empty_table (id INT PRIMARY KEY) ENGINE=InnoDB;
    CREATE VIEW call_totals AS SELECT company_id, COUNT(*) AS n FROM calls GROUP BY company_id;
    INSERT INTO companies(name) VALUES ('Praxis Dr. Weiß'), ('Salon "Schnitt"'), ('O''Brien & Söhne');
  `);
  const rows: string[] = [];
  for (let i = 1; i <= scale * 3; i += 1) {
    // Strings that look like SQL structure: the row counter must not be fooled by them.
    rows.push(`(${1 + (i % 3)}, 'Kunde: Termin am ${i}.), ( bitte; danke\\n''ok''', X'00FF${(i % 256).toString(16).padStart(2, '0')}', NOW())`);
  }
  await db.query(`INSERT INTO calls(company_id, transcript, audio, created_at) VALUES ${rows.join(',')}`);
  await db.query(`INSERT INTO billing_lines(call_id, cents) SELECT id, id * 7 FROM calls`);
}

/** A small app tree with modes, a symlink, a nested folder and things to exclude. */
export async function makeAppTree(root: string): Promise<void> {
  await mkdir(path.join(root, 'storage/app/uploads'), { recursive: true });
  await mkdir(path.join(root, 'storage/logs'), { recursive: true });
  await mkdir(path.join(root, 'node_modules/pkg'), { recursive: true });
  await writeFile(path.join(root, '.env'), 'APP_KEY=base64:xyz\nDB_PASSWORD=not-in-this-test\n');
  await chmod(path.join(root, '.env'), 0o640);
  await writeFile(path.join(root, 'artisan'), '#!/usr/bin/env php\n<?php echo "ok";\n');
  await chmod(path.join(root, 'artisan'), 0o755);
  await writeFile(path.join(root, 'storage/app/uploads/invoice 2026-10.pdf'), Buffer.alloc(70_000, 7));
  await writeFile(path.join(root, 'storage/logs/laravel.log'), 'noise\n');
  await writeFile(path.join(root, 'node_modules/pkg/index.js'), 'module.exports = 1;\n');
  await symlink('storage/app/uploads', path.join(root, 'uploads'));
}

/** Content digest of a folder tree (paths, modes, link targets, file hashes) via standard tools. */
export async function treeDigest(root: string): Promise<string> {
  const { stdout } = await execa('bash', ['-c', 'find . -printf "%p %y %m %l\\n" | LC_ALL=C sort; find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum'], { cwd: root });
  return stdout;
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value, null, 2));
}

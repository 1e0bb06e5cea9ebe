/**
 * bench/restore: drc restore against the raw pipeline a person would type, on the same set.
 *
 *   npx tsx bench/restore.ts [sizeMB ...]      (default: 150 600 1500)
 *
 * Per size: one drc backup of an AskPro-like PostgreSQL database, then the set is restored
 * into a new database twice: by `createdb && gpg -d | zstd -d | pg_restore`, and by
 * `drc restore latest --into` (which also checks every checksum and counts every table).
 * Prints drc's wall time as a ratio to the raw pipeline (goal ≤ 1.2x) and drc's own peak RSS
 * (goal: flat across sizes). Runs the built CLI (dist/), as an operator would.
 */
import { execa } from 'execa';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensureAskProDatabase, writeBenchConfig } from './lib/askpro-db.js';
import { ratio, timeCommand, timeShell } from './lib/measure.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = path.join(ROOT, 'bench/.work/restore');
const PASSPHRASE = 'bench-passphrase-not-secret';
const PG_BIN = '/usr/lib/postgresql/15/bin';
const sizes = process.argv.slice(2).map(Number).filter(Boolean);

const build = await execa('npm', ['run', 'build'], { cwd: ROOT, reject: false, all: true });
if (build.exitCode !== 0) console.warn(`warning: npm run build reported errors; measuring the emitted dist/ anyway\n${build.all}`);
// `drc --version` loads the whole command line: the fixed start-up every drc run pays.
const startup = await timeCommand(process.execPath, [path.join(ROOT, 'dist/screens/main.js'), '--version']);
console.log(`drc start-up (node + command line): ${startup.seconds.toFixed(2)} s, included in every drc figure below`);
console.log('size   | db on disk | stored set | gpg|zstd|pg_restore | drc restore --into | ratio | drc peak RSS');
for (const size of sizes.length ? sizes : [150, 600, 1500]) {
  const db = await ensureAskProDatabase(size);
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  const config = await writeBenchConfig(WORK, db.url);
  const drc = (args: string[]) => [path.join(ROOT, 'dist/screens/main.js'), '--config', config, ...args];
  await execa(process.execPath, drc(['backup']), { env: { DRC_PASSPHRASE: PASSPHRASE } });
  const setDir = path.join(WORK, 'sets', (await readdir(path.join(WORK, 'sets'))).find((name) => /^\d{4}-/.test(name))!);
  const item = path.join(setDir, 'core-db.dump.zst.gpg');
  const stored = (await import('node:fs/promises').then((fs) => fs.stat(item))).size;

  const rawDb = `${db.name}_bench_raw`;
  const drcDb = `${db.name}_bench_drc`;
  await dropDatabases(rawDb, drcDb);
  const raw = await timeShell(
    `${PG_BIN}/createdb -h /var/run/postgresql -U postgres ${rawDb} && ` +
      `gpg --batch --quiet --pinentry-mode loopback --passphrase-fd 3 --decrypt ${item} 3<<<"$P" | zstd -d -q -c | ` +
      `${PG_BIN}/pg_restore --exit-on-error --no-owner -h /var/run/postgresql -U postgres -d ${rawDb}`,
    { P: PASSPHRASE, GNUPGHOME: await gnupgHome() },
  );
  await dropDatabases(rawDb);
  const restored = await timeCommand(process.execPath, drc(['restore', 'latest', '--source', 'core-db', '--into', drcDb, '--yes']), { DRC_PASSPHRASE: PASSPHRASE });
  await dropDatabases(drcDb);
  console.log(
    [
      `${size} MB`.padEnd(6),
      `${(db.bytes / 1048576).toFixed(0)} MiB`.padEnd(10),
      `${(stored / 1048576).toFixed(0)} MiB`.padEnd(10),
      `${raw.seconds.toFixed(1)} s`.padEnd(19),
      `${restored.seconds.toFixed(1)} s`.padEnd(18),
      ratio(restored.seconds, raw.seconds).padEnd(5),
      `${restored.peakRssMiB?.toFixed(0)} MiB`,
    ].join(' | '),
  );
}
await rm(WORK, { recursive: true, force: true });

async function dropDatabases(...names: string[]): Promise<void> {
  const admin = new pg.Client({ host: '/var/run/postgresql', user: 'postgres', database: 'postgres' });
  await admin.connect();
  try {
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function gnupgHome(): Promise<string> {
  const dir = path.join(WORK, 'gnupg');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * bench/run: drc backup and restore against the bare tools and against what teams run today,
 * side by side in one run, in one table.
 *
 *   npx tsx bench/run.ts [--profile] [--engines postgres,mysql] [--shapes askpro,wide] [sizeMB ...]
 *                                                                        (default: 150 600 1500)
 *
 * Per engine, shape and size, on the same database:
 *   floor   bare dump: `pg_dump -Fc -Z0 -f FILE` / `mariadb-dump --single-transaction > /dev/null`
 *   seed    the seeds' pipeline: `DUMP | gpg -c > FILE && sha256sum FILE`
 *   backup  `drc backup` (goals: ≤ 1.5x floor, ≤ 0.3x seed)
 *   raw     `gpg -d | zstd -d | pg_restore` / `… | mariadb` into a new database
 *   restore `drc restore latest --into NEW --yes` (goals: ≤ 1.0x raw from 600 MB up, ≤ 1.2x at 150 MB)
 *   cpu     CPU seconds of drc (and the tools it ran) over those of the bare tools: what the
 *           wall-time ratios tend to when neighbours keep both cores busy
 *   RSS     the peak RSS of the largest process of drc's backup or restore, drc itself in
 *           practice (goal ≤ 160 MiB)
 * plus `drc --version` (goal < 120 ms). --profile runs one more backup per row under
 * `node --cpu-prof` and prints the five functions with the most self time.
 * Runs the built CLI (dist/), as cron would. Databases are built once and kept (bench/.work is
 * scratch); drop them with --drop when done.
 */
import { execa } from 'execa';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropBenchDatabase, ensureBenchDatabase, MARIADB_SOCKET, type BenchDatabase, type Engine, type Shape } from './lib/bench-dbs.js';
import { ratio, timeCommand, timeShell } from './lib/measure.js';
import { topFunctions } from './lib/profile.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = path.join(ROOT, 'bench/.work/run');
const DRC = path.join(ROOT, 'dist/screens/main.js');
const PASSPHRASE = 'bench-passphrase-not-secret';
const PG_BIN = '/usr/lib/postgresql/15/bin';
const PG = `-h /var/run/postgresql -U postgres`;
const MY = `--socket=${MARIADB_SOCKET} -uroot`;

const args = process.argv.slice(2);
const flag = (name: string) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args.splice(at, 2)[1];
};
const engines = (flag('--engines') ?? 'postgres,mysql').split(',') as Engine[];
const shapes = (flag('--shapes') ?? 'askpro,wide').split(',') as Shape[];
const profile = args.includes('--profile');
const drop = args.includes('--drop');
const sizes = args.map(Number).filter(Boolean);

const build = await execa('npm', ['run', 'build'], { cwd: ROOT, reject: false, all: true });
if (build.exitCode !== 0) console.warn(`warning: npm run build reported errors; measuring the emitted dist/ anyway\n${build.all}`);
const version = await bestOf(5, () => timeCommand(process.execPath, [DRC, '--version']));
const bareNode = await bestOf(5, () => timeCommand(process.execPath, ['-e', '0']));
console.log(`drc --version: ${ms(version.seconds)} (node -e 0: ${ms(bareNode.seconds)}); best of 5`);
console.log(
  'engine   | shape  | size    | db MiB | floor  | seed   | backup | ×floor | ×seed | cpu ×floor | raw rst | restore | ×raw  | cpu ×raw | RSS MiB',
);
const profiles: string[] = [];
for (const size of sizes.length ? sizes : [150, 600, 1500]) {
  for (const engine of engines) {
    for (const shape of shapes) {
      const db = await ensureBenchDatabase(engine, shape, size);
      const row = await measure(db);
      console.log(
        [
          engine.padEnd(8),
          shape.padEnd(6),
          `${size} MB`.padEnd(7),
          (db.bytes / 1048576).toFixed(0).padEnd(6),
          secs(row.floor.seconds).padEnd(6),
          secs(row.seed.seconds).padEnd(6),
          secs(row.backup.seconds).padEnd(6),
          ratio(row.backup.seconds, row.floor.seconds).padEnd(6),
          ratio(row.backup.seconds, row.seed.seconds).padEnd(5),
          ratio(row.backup.cpuSeconds, row.floor.cpuSeconds).padEnd(10),
          secs(row.raw.seconds).padEnd(7),
          secs(row.restore.seconds).padEnd(7),
          ratio(row.restore.seconds, row.raw.seconds).padEnd(5),
          ratio(row.restore.cpuSeconds, row.raw.cpuSeconds).padEnd(8),
          Math.max(row.backup.peakRssMiB, row.restore.peakRssMiB).toFixed(0),
        ].join(' | '),
      );
      if (profile) profiles.push(`${engine} ${shape} ${size} MB backup:`, ...(await profileBackup(db)).map((line) => `  ${line}`));
      if (drop) await dropBenchDatabase(db);
    }
  }
}
if (profiles.length) console.log(['', 'CPU profile of drc backup, top five by self time:', ...profiles].join('\n'));
await rm(WORK, { recursive: true, force: true });

async function measure(db: BenchDatabase) {
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  const gnupg = path.join(WORK, 'gnupg');
  await mkdir(gnupg, { mode: 0o700 });
  const env = { P: PASSPHRASE, GNUPGHOME: gnupg };
  const dump = db.engine === 'postgres' ? `${PG_BIN}/pg_dump -Fc ${PG} ${db.name}` : `mariadb-dump ${MY} --single-transaction ${db.name}`;
  const floor =
    db.engine === 'postgres'
      ? await timeShell(`${PG_BIN}/pg_dump -Fc -Z0 ${PG} -f ${WORK}/floor.dump ${db.name}`)
      : await timeShell(`mariadb-dump ${MY} --single-transaction ${db.name} > /dev/null`);
  const seed = await timeShell(
    `${dump} | gpg --batch --symmetric --pinentry-mode loopback --passphrase-fd 3 3<<<"$P" -o ${WORK}/seed.gpg && sha256sum ${WORK}/seed.gpg > /dev/null`,
    env,
  );
  await rm(path.join(WORK, 'floor.dump'), { force: true });
  await rm(path.join(WORK, 'seed.gpg'), { force: true });

  const config = await writeConfig(db);
  const drcEnv = { DRC_PASSPHRASE: PASSPHRASE };
  const backup = await timeCommand(process.execPath, [DRC, '--config', config, 'backup'], drcEnv);
  const setDir = path.join(WORK, 'sets', (await readdir(path.join(WORK, 'sets'))).find((name) => /^\d{4}-/.test(name))!);
  const item = path.join(setDir, (await readdir(setDir)).find((name) => name.endsWith('.gpg'))!);
  await stat(item);

  const rawDb = `${db.name}_raw`;
  const drcDb = `${db.name}_drc`;
  await dropBenchDatabase({ engine: db.engine, name: rawDb });
  await dropBenchDatabase({ engine: db.engine, name: drcDb });
  const decrypt = `gpg --batch --quiet --pinentry-mode loopback --passphrase-fd 3 --decrypt ${item} 3<<<"$P" | zstd -d -q -c`;
  const raw =
    db.engine === 'postgres'
      ? await timeShell(`${PG_BIN}/createdb ${PG} ${rawDb} && ${decrypt} | ${PG_BIN}/pg_restore --exit-on-error --no-owner ${PG} -d ${rawDb}`, env)
      : await timeShell(`mariadb ${MY} -e 'CREATE DATABASE \`${rawDb}\`' && ${decrypt} | mariadb ${MY} ${rawDb}`, env);
  await dropBenchDatabase({ engine: db.engine, name: rawDb });
  const restore = await timeCommand(process.execPath, [DRC, '--config', config, 'restore', 'latest', '--source', 'bench-db', '--into', drcDb, '--yes'], drcEnv);
  await dropBenchDatabase({ engine: db.engine, name: drcDb });
  return { floor, seed, backup, raw, restore };
}

async function profileBackup(db: BenchDatabase): Promise<string[]> {
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  const config = await writeConfig(db);
  await execa(process.execPath, ['--cpu-prof', '--cpu-prof-dir', WORK, '--cpu-prof-name', 'backup.cpuprofile', DRC, '--config', config, 'backup'], {
    env: { DRC_PASSPHRASE: PASSPHRASE },
    stdio: 'ignore',
  });
  return topFunctions(path.join(WORK, 'backup.cpuprofile'), 5);
}

async function writeConfig(db: BenchDatabase): Promise<string> {
  const config = path.join(WORK, 'drc.json');
  await writeFile(
    config,
    JSON.stringify({
      sources: [{ name: 'bench-db', type: db.engine, url: db.url }],
      targets: [{ name: 'local', type: 'local', path: path.join(WORK, 'sets') }],
      encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
      stateDir: path.join(WORK, 'state'),
    }),
  );
  return config;
}

async function bestOf<T extends { seconds: number }>(times: number, run: () => Promise<T>): Promise<T> {
  let best: T | undefined;
  for (let i = 0; i < times; i += 1) {
    const result = await run();
    if (!best || result.seconds < best.seconds) best = result;
  }
  return best!;
}

function secs(seconds: number): string {
  return `${seconds.toFixed(1)} s`;
}

function ms(seconds: number): string {
  return `${(seconds * 1000).toFixed(0)} ms`;
}

/**
 * bench/backup: drc backup against what teams run today, on an AskPro-like PostgreSQL DB.
 *
 *   npx tsx bench/backup.ts [sizeMB ...]      (default: 150 600)
 *
 * Prints, per size, drc's wall time as a ratio against `pg_dump -Fc | gpg -c` + `sha256sum`
 * (goal ≤ 0.5x) and against bare `pg_dump -Fc -Z0` (the floor; goal ≤ 2x), and drc's own
 * peak RSS (goal < 200 MB at every size). Runs the built CLI (dist/), as cron would.
 */
import { execa } from 'execa';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAskProDatabase, writeBenchConfig } from './lib/askpro-db.js';
import { ratio, timeCommand, timeShell } from './lib/measure.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = path.join(ROOT, 'bench/.work/backup');
const PASSPHRASE = 'bench-passphrase-not-secret';
const sizes = process.argv.slice(2).map(Number).filter(Boolean);

const build = await execa('npm', ['run', 'build'], { cwd: ROOT, reject: false, all: true });
if (build.exitCode !== 0) console.warn(`warning: npm run build reported errors; measuring the emitted dist/ anyway\n${build.all}`);
console.log('size   | db on disk | pg_dump -Z0 | pg_dump|gpg -c+sha256 | drc backup | vs gpg | vs floor | drc peak RSS');
for (const size of sizes.length ? sizes : [150, 600]) {
  const db = await ensureAskProDatabase(size);
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  const pgDump = '/usr/lib/postgresql/15/bin/pg_dump';
  const floor = await timeShell(`${pgDump} -Fc -Z0 -h /var/run/postgresql -U postgres -f ${WORK}/floor.dump ${db.name}`);
  const today = await timeShell(
    `${pgDump} -Fc -h /var/run/postgresql -U postgres ${db.name} | gpg --batch --symmetric --pinentry-mode loopback --passphrase-fd 3 3<<<"$P" -o ${WORK}/today.dump.gpg && sha256sum ${WORK}/today.dump.gpg > /dev/null`,
    { P: PASSPHRASE, GNUPGHOME: await gnupgHome() },
  );
  await rm(path.join(WORK, 'floor.dump'));
  await rm(path.join(WORK, 'today.dump.gpg'));
  const config = await writeBenchConfig(WORK, db.url);
  const drc = await timeCommand(process.execPath, [path.join(ROOT, 'dist/screens/main.js'), '--config', config, 'backup'], { DRC_PASSPHRASE: PASSPHRASE });
  console.log(
    [
      `${size} MB`.padEnd(6),
      `${(db.bytes / 1048576).toFixed(0)} MiB`.padEnd(10),
      `${floor.seconds.toFixed(1)} s`.padEnd(11),
      `${today.seconds.toFixed(1)} s`.padEnd(21),
      `${drc.seconds.toFixed(1)} s`.padEnd(10),
      ratio(drc.seconds, today.seconds).padEnd(6),
      ratio(drc.seconds, floor.seconds).padEnd(8),
      `${drc.peakRssMiB?.toFixed(0)} MiB`,
    ].join(' | '),
  );
}
await rm(WORK, { recursive: true, force: true });

async function gnupgHome(): Promise<string> {
  const dir = path.join(WORK, 'gnupg');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

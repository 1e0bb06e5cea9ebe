/**
 * bench/archive: the point-in-time archive against what people use as archive_command today.
 *
 *   npx tsx bench/archive.ts [segments]        (default 20; needs the built CLI: npm run build)
 *
 * PostgreSQL section: N WAL-shaped 16 MiB segments (a quarter random, the rest zeros, as a
 * segment closed by archive_timeout looks) archived one process per segment, the way
 * PostgreSQL calls archive_command:
 *   cp      `test ! -f DIR/%f && cp %p DIR/%f`
 *   gzip    `gzip -c %p > DIR/%f.gz`
 *   drc     `drc wal push %p` (sha256 → zstd → OpenPGP to a public key → sha256 → local target, fsynced)
 * and prints segments per second and the ratio. The MySQL/MariaDB section (issue 10) goes beside it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { timeShell } from './lib/measure.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEGMENT = 16 * 1024 * 1024;

async function makeSegments(dir: string, count: number): Promise<string[]> {
  const files: string[] = [];
  for (let index = 1; index <= count; index += 1) {
    const name = `00000001000000000000${index.toString(16).toUpperCase().padStart(4, '0')}`;
    const content = Buffer.alloc(SEGMENT);
    randomBytes(SEGMENT / 4).copy(content);
    await writeFile(path.join(dir, name), content);
    files.push(name);
  }
  return files;
}

async function benchPostgres(count: number): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'drc-bench-archive-'));
  try {
    const wal = path.join(work, 'pg_wal');
    await mkdir(wal);
    const files = await makeSegments(wal, count);
    const gnupg = path.join(work, 'gnupg');
    await mkdir(gnupg, { mode: 0o700 });
    await execa('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'bench <b@example.test>', 'ed25519', 'sign', 'never'], { env: { GNUPGHOME: gnupg } });
    const fpr = (await execa('gpg', ['--batch', '--with-colons', '--list-keys'], { env: { GNUPGHOME: gnupg } })).stdout.split('\n').find((line) => line.startsWith('fpr:'))!.split(':')[9]!;
    await execa('gpg', ['--batch', '--passphrase', '', '--quick-add-key', fpr, 'cv25519', 'encr', 'never'], { env: { GNUPGHOME: gnupg } });
    const pub = path.join(work, 'ops.pub.asc');
    await writeFile(pub, (await execa('gpg', ['--batch', '--armor', '--export', fpr], { env: { GNUPGHOME: gnupg } })).stdout);
    const config = path.join(work, 'drc.json');
    await writeFile(
      config,
      JSON.stringify({
        sources: [{ name: 'pg', type: 'postgres', url: 'postgres://postgres@/postgres?host=/var/run/postgresql', pitr: true }],
        targets: [{ name: 'local', type: 'local', path: path.join(work, 'target') }],
        encryption: { recipients: [pub] },
        stateDir: path.join(work, 'state'),
      }),
    );
    const drc = `node ${path.join(ROOT, 'dist/screens/main.js')} --config ${config}`;
    const loop = (command: string) => `for f in ${files.join(' ')}; do ${command}; done`;
    await mkdir(path.join(work, 'cp'));
    await mkdir(path.join(work, 'gz'));
    const rows = [
      ['cp', await timeShell(loop(`test ! -f ${work}/cp/$f && cp ${wal}/$f ${work}/cp/$f`))],
      ['gzip', await timeShell(loop(`gzip -c ${wal}/$f > ${work}/gz/$f.gz`))],
      ['drc wal push', await timeShell(loop(`${drc} wal push ${wal}/$f`))],
      ['drc wal push (again, already archived)', await timeShell(loop(`${drc} wal push ${wal}/$f`))],
    ] as const;
    const base = rows[1][1].seconds;
    console.log(`PostgreSQL archive_command, ${count} segments of 16 MiB, one process per segment:`);
    for (const [label, m] of rows) {
      console.log(`  ${label.padEnd(40)} ${(count / m.seconds).toFixed(1).padStart(6)} segments/s  ${m.seconds.toFixed(2).padStart(7)} s  cpu ${m.cpuSeconds.toFixed(2)} s  ${(m.seconds / base).toFixed(2)}x gzip`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await benchPostgres(Number(process.argv[2] ?? 20));

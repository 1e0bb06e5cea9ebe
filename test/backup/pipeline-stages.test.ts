import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseCompression } from '../../src/pipeline/compress.js';
import { storeStream } from '../../src/pipeline/store-stream.js';
import { runDrc } from '../helpers/drc.js';
import { writeJson } from '../helpers/fixtures.js';
import { makeTempDir } from '../helpers/tmp.js';

const PASSPHRASE = 'pipeline-stages-passphrase';
const env = { DRC_PASSPHRASE: PASSPHRASE };

/**
 * The backup pipeline's stages are separate processes (dump → tee → zstd, Node reading tee's
 * copy and zstd's output). Each test breaks one stage and checks the item fails with that
 * stage's own message and no set is left; the last ones check what a good run stores.
 */
describe('backup pipeline stages', () => {
  let dirs: Array<{ cleanup: () => Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(dirs.map((entry) => entry.cleanup()));
    dirs = [];
  });

  /** A files source over `megabytes` of incompressible data, so every stage is still busy when one breaks. */
  async function setup(megabytes: number) {
    const work = await makeTempDir();
    dirs.push(work);
    const data = path.join(work.dir, 'data');
    await mkdir(data);
    for (let i = 0; i < megabytes; i += 1) await writeFile(path.join(data, `part-${i}.bin`), randomBytes(1 << 20));
    const config = path.join(work.dir, 'drc.json');
    const backups = path.join(work.dir, 'backups');
    await writeJson(config, {
      sources: [{ name: 'uploads', type: 'files', paths: [data] }],
      targets: [{ name: 'local', type: 'local', path: backups }],
      encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
      stateDir: path.join(work.dir, 'state'),
    });
    const bin = path.join(work.dir, 'bin');
    await mkdir(bin);
    const fake = async (name: string, script: string) => {
      await writeFile(path.join(bin, name), `#!/bin/bash\n${script}\n`);
      await chmod(path.join(bin, name), 0o755);
    };
    const withFakes = { ...env, PATH: `${bin}:${process.env.PATH}` };
    return { work, config, backups, fake, withFakes };
  }

  const setsIn = async (dir: string) => readdir(dir).catch(() => [] as string[]);

  it('zstd dying mid-stream fails the item with zstd’s stderr (not the broken pipes it causes) and leaves no set', async () => {
    const { config, backups, fake, withFakes } = await setup(4);
    const zstd = (await execa('bash', ['-c', 'command -v zstd'])).stdout.trim();
    // Reads part of its input (the last argument), then fails the way a real zstd can.
    await fake('zstd', `[ "$1" = -d ] && exec "${zstd}" "$@"\nhead -c 300000 "\${@: -1}" > /dev/null\necho "zstd: error 11 : Allocation error : not enough memory" >&2\nexit 1`);
    const run = await runDrc(['--config', config, 'backup'], { env: withFakes });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/uploads: backup failed \(zstd failed \(exit 1\): zstd: error 11 : Allocation error : not enough memory\)/);
    expect(run.stderr).not.toMatch(/tee failed/);
    expect(await setsIn(backups)).toEqual([]);
  });

  it('tee dying mid-stream fails the item with tee’s stderr and leaves no set', async () => {
    const { config, backups, fake, withFakes } = await setup(4);
    await fake('tee', `head -c 500000 | /usr/bin/tee "$@"\necho "tee: write error: Input/output error" >&2\nexit 1`);
    const run = await runDrc(['--config', config, 'backup'], { env: withFakes });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/uploads: backup failed \(tee failed \(exit 1\): tee: write error: Input\/output error\)/);
    expect(run.stderr).not.toMatch(/zstd failed/);
    expect(await setsIn(backups)).toEqual([]);
  });

  it('a dump tool killed mid-stream fails the item with its status even though tee and zstd ended cleanly', async () => {
    const { config, backups, fake, withFakes } = await setup(4);
    // tar sends part of the archive, then dies of SIGKILL: what tee and zstd see is a clean end of input.
    await fake('tar', `[ "$1" = --version ] && exec /usr/bin/tar --version\n/usr/bin/tar "$@" | head -c 700000\nkill -9 $$`);
    const run = await runDrc(['--config', config, 'backup'], { env: withFakes });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/uploads: FAILED .*tar failed: Command was killed with SIGKILL/);
    expect(await setsIn(backups)).toEqual([]);
  });

  it('with a 48 MiB heap, a 64 MiB item is stored whole, and its plain sha256 is that of what gpg and zstd give back', async () => {
    const { work, config, backups } = await setup(64);
    const run = await runDrc(['--config', config, 'backup'], { env: { ...env, NODE_OPTIONS: '--max-old-space-size=48' } });
    expect(run.stderr).toMatch(/backup OK/);
    expect(run.exitCode).toBe(0);
    const [setId] = await setsIn(backups);
    const setDir = path.join(backups, setId!);
    const manifest = JSON.parse(await readFile(path.join(setDir, 'manifest.json'), 'utf8')) as {
      items: Array<{ file: string; plain: { bytes: number; sha256: string }; sha256: string; storedBytes: number }>;
    };
    const item = manifest.items[0]!;
    expect(item.plain.bytes).toBeGreaterThan(64 << 20);
    const gnupg = path.join(work.dir, 'gnupg');
    await mkdir(gnupg, { mode: 0o700 });
    const plain = await execa(
      'bash',
      ['-c', `set -o pipefail; gpg --batch --quiet --pinentry-mode loopback --passphrase-fd 3 --decrypt ${item.file} 3<<<"$P" | zstd -d -q -c | sha256sum; sha256sum < ${item.file}`],
      { cwd: setDir, env: { P: PASSPHRASE, GNUPGHOME: gnupg } },
    );
    const [plainSum, storedSum] = plain.stdout.split('\n').map((line) => line.split(' ')[0]);
    expect(plainSum).toBe(item.plain.sha256);
    expect(storedSum).toBe(item.sha256);
  });

  it('storeStream takes a stream made in Node (archived files) and a child’s pipe alike: same bytes, same hashes', async () => {
    const work = await makeTempDir();
    dirs.push(work);
    const content = randomBytes(3 << 20);
    const expected = createHash('sha256').update(content).digest('hex');
    const compression = chooseCompression();
    const encryption = { passwords: [PASSPHRASE], keys: [], fingerprints: [] };
    const store = async (name: string, stream: Readable) => {
      const file = path.join(work.dir, name);
      const seen: number[] = [];
      const result = await storeStream({
        stream,
        inspect: (chunk) => seen.push(chunk.length),
        writer: createWriteStream(file),
        compression,
        encryption,
        signal: new AbortController().signal,
      });
      expect(seen.reduce((a, b) => a + b, 0)).toBe(content.length);
      return { file, result };
    };
    const source = path.join(work.dir, 'source.bin');
    await writeFile(source, content);
    const fromNode = await store('node.zst.gpg', Readable.from([content.subarray(0, 1000), content.subarray(1000)]));
    const child = spawn('cat', [source], { stdio: ['ignore', 'pipe', 'inherit'] });
    const fromPipe = await store('pipe.zst.gpg', child.stdout);
    const gnupg = path.join(work.dir, 'gnupg');
    await mkdir(gnupg, { mode: 0o700 });
    for (const { file, result } of [fromNode, fromPipe]) {
      expect(result.plain).toMatchObject({ bytes: content.length, sha256: expected });
      expect(result.plain.head).toEqual(content.subarray(0, 16));
      expect(result.plain.tail).toEqual(content.subarray(-4096));
      const stored = await readFile(file);
      expect(result.stored).toEqual({ bytes: stored.length, sha256: createHash('sha256').update(stored).digest('hex') });
      const back = await execa('bash', ['-c', `set -o pipefail; gpg --batch --quiet --pinentry-mode loopback --passphrase-fd 3 --decrypt ${file} 3<<<"$P" | zstd -d -q -c | sha256sum`], {
        env: { P: PASSPHRASE, GNUPGHOME: gnupg },
      });
      expect(back.stdout.split(' ')[0]).toBe(expected);
    }
  });
});

import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { drcCommand } from '../helpers/drc.js';
import { makeTempDir } from '../helpers/tmp.js';

let temp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  temp = await makeTempDir('drc-children-');
});
afterAll(async () => temp?.cleanup());

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a drc killed with SIGKILL takes the tools it started with it', async () => {
  // A compressor that never finishes stands in for a long pg_dump | zstd: it says its pid and sleeps.
  const bin = path.join(temp.dir, 'bin');
  await mkdir(bin);
  const marker = path.join(temp.dir, 'zstd.pid');
  await writeFile(path.join(bin, 'zstd'), `#!/bin/sh\necho $$ > "${marker}.tmp" && mv "${marker}.tmp" "${marker}"\nexec sleep 600\n`);
  await chmod(path.join(bin, 'zstd'), 0o755);
  const data = path.join(temp.dir, 'data');
  await mkdir(data);
  await writeFile(path.join(data, 'file.txt'), 'hello\n');
  const config = path.join(temp.dir, 'drc.json');
  await writeFile(
    config,
    JSON.stringify({
      sources: [{ name: 'app', type: 'files', paths: [data] }],
      targets: [{ name: 'local', type: 'local', path: path.join(temp.dir, 'sets') }],
      encryption: { passphraseEnv: 'DRC_TEST_PASS' },
      stateDir: path.join(temp.dir, 'state'),
    }),
  );
  const { command, args } = drcCommand();
  const drc = spawn(command, [...args, '--config', config, 'backup'], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, DRC_TEST_PASS: 'children-test-passphrase' },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => drc.once('exit', resolve));
  let pid: number | undefined;
  await expect
    .poll(async () => (pid = Number((await readFile(marker, 'utf8').catch(() => '')).trim()) || undefined), { timeout: 120_000, interval: 100 })
    .toBeGreaterThan(0);
  expect(isRunning(pid!)).toBe(true);
  drc.kill('SIGKILL');
  await exited;
  // The watchdog looks every 100 ms; the deadline is generous for a loaded machine (tests never
  // assert on wall time), and far below the 600 s the orphan would otherwise live.
  await expect.poll(() => isRunning(pid!), { timeout: 10_000, interval: 50 }).toBe(false);
});

import { spawn } from 'node:child_process';
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { drcCommand } from '../helpers/drc.js';
import type { Fixture } from './fixture.js';

/**
 * Starts `drc restore` with the journal's test hook set to pause at `step`, waits until it is
 * there (the step is journaled, not yet run), and kills it with SIGKILL: no cleanup of any kind.
 * Returns drc's stderr up to the kill.
 */
export async function killRestoreAt(fixture: Fixture, step: string, args: string[] = ['restore', 'latest', '--source', 'app-db', '--yes']): Promise<string> {
  const marker = path.join(fixture.dir, `paused-${step}`);
  await rm(marker, { force: true });
  const { command, args: drcArgs } = drcCommand();
  const child = spawn(command, [...drcArgs, '--config', fixture.configPath, ...args], {
    env: { ...process.env, ...fixture.env, NO_COLOR: '1', DRC_TEST_PAUSE_AT: step, DRC_TEST_PAUSE_FILE: marker },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (await access(marker).then(() => true, () => false)) break;
    if (gone) throw new Error(`drc exited before reaching step ${step}:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`drc did not reach step ${step} in time:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  await exited;
  await rm(marker, { force: true });
  return stderr;
}

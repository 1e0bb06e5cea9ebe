import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Measurement {
  seconds: number;
  /** CPU seconds (user + system) of the command and every process it started. */
  cpuSeconds: number;
  /** Peak resident memory of the largest single process of the command (GNU time's %M), in MiB. */
  peakRssMiB: number;
}

/**
 * Wall time, CPU time and peak RSS through GNU time. On a shared machine the wall time moves
 * with the neighbours' load; the CPU seconds of the same work hardly do, so both are reported.
 */
async function timed(command: string, args: string[], env: Record<string, string>): Promise<Measurement> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drc-bench-time-'));
  const out = path.join(dir, 'time');
  try {
    const started = process.hrtime.bigint();
    await execa('/usr/bin/time', ['-f', '%U %S %M', '-o', out, command, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [user, system, rssKiB] = (await readFile(out, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
    return { seconds, cpuSeconds: user! + system!, peakRssMiB: rssKiB! / 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a shell pipeline (bash, pipefail). */
export function timeShell(script: string, env: Record<string, string> = {}): Promise<Measurement> {
  return timed('bash', ['-c', `set -euo pipefail; ${script}`], env);
}

export function timeCommand(command: string, args: string[], env: Record<string, string> = {}): Promise<Measurement> {
  return timed(command, args, env);
}

export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}

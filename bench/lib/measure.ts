import { execa, type ResultPromise } from 'execa';
import { readFile } from 'node:fs/promises';

export interface Measurement {
  seconds: number;
  /** Peak resident memory of the measured process itself (not its children), in MiB. */
  peakRssMiB?: number;
}

/** Runs a shell pipeline and returns its wall time. */
export async function timeShell(script: string, env: Record<string, string> = {}): Promise<Measurement> {
  const started = process.hrtime.bigint();
  await execa('bash', ['-c', `set -euo pipefail; ${script}`], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Runs a command, sampling its VmRSS from /proc every 50 ms for the peak. */
export async function timeCommand(command: string, args: string[], env: Record<string, string> = {}): Promise<Measurement> {
  const started = process.hrtime.bigint();
  const child: ResultPromise = execa(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let peak = 0;
  const sampler = setInterval(async () => {
    try {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
    } catch {
      // exited between samples
    }
  }, 50);
  try {
    await child;
  } finally {
    clearInterval(sampler);
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMiB: peak };
}

export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}

import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Built once per test run by the global setup (test/helpers/global-setup.ts). */
const ENTRY = path.join(ROOT, 'dist/screens/main.js');

export interface DrcRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (for --json runs). */
  events: Array<Record<string, unknown>>;
}

/**
 * Runs the real, built drc command line in a child process without a terminal, the way cron
 * would.
 */
export async function runDrc(
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<DrcRun> {
  const result = await execa(process.execPath, [ENTRY, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: '1', ...options.env },
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? 300_000,
  });
  const events = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr, events };
}

/** The node arguments that start drc, for tests that spawn it themselves (tmux, kill tests). */
export function drcCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [ENTRY] };
}

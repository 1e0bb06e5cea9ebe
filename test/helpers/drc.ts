import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'screens/main.tsx');
/** tsx's loader by absolute path, so drc can run from any working directory. */
const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface DrcRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (for --json runs). */
  events: Array<Record<string, unknown>>;
}

/**
 * Runs the real drc command line in a child process (through tsx, so no build step), without
 * a terminal, the way cron would.
 */
export async function runDrc(
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<DrcRun> {
  const result = await execa(process.execPath, ['--import', TSX_LOADER, ENTRY, ...args], {
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
  return { command: process.execPath, args: ['--import', TSX_LOADER, ENTRY] };
}

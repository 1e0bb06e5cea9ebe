import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs once before all test files: compiles src/ and screens/ to dist/ so CLI tests spawn
 * plain node on the built drc (what users run) instead of paying tsx's start-up per spawn.
 * Emit only (`npm test` type-checks first) and incremental: a run after a small change rebuilds
 * only what changed.
 */
export default async function setup(): Promise<void> {
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const result = await execa(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'], {
    cwd: ROOT,
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0) throw new Error(`building dist/ for the CLI tests failed:\n${result.all}`);
}

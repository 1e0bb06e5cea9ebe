#!/usr/bin/env node
import { runProgram } from '../src/cli/program.js';

/**
 * The drc binary's composition root: with no command at a terminal it opens the TUI; every
 * other invocation goes to the headless commands in src/. Ink and React load only for the TUI.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (isBareInvocation(argv)) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      await runProgram(['--help']);
      process.exitCode = 2;
      return;
    }
    const { startTui } = await import('./app.js');
    await startTui(argv);
    return;
  }
  await runProgram(argv);
}

/** `drc` alone (global flags allowed) means the TUI. */
function isBareInvocation(argv: string[]): boolean {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--config') i += 1;
    else if (!arg.startsWith('--config=') && arg !== '--json') return false;
  }
  return true;
}

await main();

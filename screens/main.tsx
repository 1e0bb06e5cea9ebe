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
  if (isConsoleDemo(argv)) {
    const { runDemoConsole } = await import('./demo.js');
    await runDemoConsole(argv);
    return;
  }
  await runProgram(argv);
}

/** `drc demo` at a terminal opens the console on the sandbox; --headless (and no TTY) stays headless. */
function isConsoleDemo(argv: string[]): boolean {
  return argv[0] === 'demo' && !argv.includes('--headless') && !argv.includes('--help') && Boolean(process.stdin.isTTY && process.stdout.isTTY);
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

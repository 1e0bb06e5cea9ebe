#!/usr/bin/env node

/**
 * The drc binary's composition root: with no command at a terminal it opens the TUI; every
 * other invocation goes to the headless commands in src/. Ink and React load only for the TUI.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    // Monitoring and packaging call this often: answered without loading the command line.
    const { DRC_VERSION } = await import('../src/version.js');
    process.stderr.write(`${DRC_VERSION}\n`);
    return;
  }
  const { runProgram } = await import('../src/cli/program.js');
  if (isBareInvocation(argv)) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      await runProgram(['--help']);
      process.exitCode = 2;
      return;
    }
    const { startTui } = await importConsole(() => import('./app.js'));
    await startTui(argv);
    return;
  }
  if (isConsoleDemo(argv)) {
    const { runDemoConsole } = await importConsole(() => import('./demo.js'));
    await runDemoConsole(argv);
    return;
  }
  await runProgram(argv);
}

/**
 * Loads the console with CI/CONTINUOUS_INTEGRATION hidden: Ink reads them once at import and
 * then draws nothing until exit. The console only opens when stdin and stdout are a terminal,
 * so a person is there, whatever the environment of the shell says (tmux started by a CI job,
 * an SSH session from a runner). The variables are put back for the steps' commands.
 */
async function importConsole<T>(load: () => Promise<T>): Promise<T> {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  try {
    return await load();
  } finally {
    for (const [key, value] of Object.entries(saved)) if (value !== undefined) process.env[key] = value;
  }
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

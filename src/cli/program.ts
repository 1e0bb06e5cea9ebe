import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { DRC_VERSION } from '../version.js';

/**
 * The headless command line. screens/main.tsx decides between this and the TUI; every
 * command here works without a terminal.
 */
export function buildProgram(): Command {
  const program = new Command('drc')
    .description('drconsole: disaster-recovery console — backups, restores, drills and playbooks')
    .version(DRC_VERSION, '-V, --version')
    .option('--config <path>', 'config file (default: env DRC_CONFIG, else the conf store)')
    .option('--json', 'one JSON object per line on stdout; humans read stderr')
    .showHelpAfterError('(run "drc --help" for the commands)')
    .configureOutput({ writeOut: (text) => process.stderr.write(text), writeErr: (text) => process.stderr.write(text) })
    .exitOverride();
  registerCommands(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Usage errors exit 2 (DESIGN.md: bad input is CRITICAL), help and version exit 0. */
export async function runProgram(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
      process.exitCode = ok ? 0 : 2;
      return;
    }
    throw error;
  }
}

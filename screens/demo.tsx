import { withSandbox } from '../src/cli/commands/demo.js';
import { createPrinter } from '../src/cli/printer.js';
import { reportError } from '../src/cli/context.js';
import { simulateDataLoss } from '../src/demo/run-demo.js';
import { startTui } from './app.js';

/**
 * `drc demo` at a terminal: the sandbox, the disaster, then the console on the sandbox's
 * config, so a newcomer runs the local-data-loss playbook for real. Quitting the console
 * stops the servers and removes the sandbox (unless --keep).
 */
export async function runDemoConsole(argv: string[]): Promise<void> {
  const printer = createPrinter('tty');
  try {
    await withSandbox({ keep: argv.includes('--keep'), emit: printer.emit }, async (sandbox) => {
      const lostAt = await simulateDataLoss(sandbox, printer.emit);
      printer.emit({
        type: 'log',
        level: 'info',
        message: 'demo: opening the console. Choose "Start an incident", then "Local data loss", and press Enter on each step.',
      });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // A dropped terminal ends the process from inside the console: stop the servers first.
      await startTui([], {
        loaded: sandbox.loaded,
        playbookVars: { ...sandbox.playbookVars, lost_at: lostAt },
        onSignalExit: () => sandbox.stop({ keep: argv.includes('--keep') }),
      });
    });
  } catch (error) {
    process.exitCode = reportError(printer.emit, error);
  } finally {
    printer.close();
  }
}

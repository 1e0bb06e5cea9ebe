import type { Command } from 'commander';
import { DrcError, EXIT } from '../../errors.js';
import type { Sandbox } from '../../demo/sandbox.js';
import type { Emit } from '../../events.js';
import { commandAction } from '../context.js';

interface DemoFlags {
  headless?: boolean;
  keep?: boolean;
}

/**
 * Runs `work` inside a fresh sandbox and always takes it down again: on success, on error and
 * on Ctrl+C / SIGTERM / SIGHUP (the signal aborts the work, then the servers are stopped).
 */
export async function withSandbox<T>(options: { keep: boolean; emit: Emit }, work: (sandbox: Sandbox, signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => controller.abort(new Error(`${signal}: stopping the demo`));
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal).on('SIGHUP', onSignal);
  const previousPath = process.env.PATH;
  let sandbox: Sandbox | undefined;
  // Loaded on use: the sandbox pulls in the database drivers and the backup pipeline.
  const { createSandbox, demoPath } = await import('../../demo/sandbox.js');
  try {
    sandbox = await createSandbox(options.emit);
    if (controller.signal.aborted) throw controller.signal.reason;
    process.env.PATH = demoPath(sandbox);
    return await work(sandbox, controller.signal);
  } finally {
    process.env.PATH = previousPath;
    if (sandbox) {
      await sandbox.stop({ keep: options.keep });
      options.emit({ type: 'log', level: 'info', message: options.keep ? `demo: servers stopped; the sandbox is kept in ${sandbox.dir}` : 'demo: servers stopped and the sandbox removed' });
    }
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('SIGHUP', onSignal);
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('a sandbox with throwaway databases and sample data: back up, lose a table, run the local-data-loss playbook')
    .option('--headless', 'no console: simulate the disaster and run the playbook with --yes (for CI)')
    .option('--keep', 'keep the sandbox folder (config, backups, journal, post-mortem) afterwards')
    .action(
      commandAction<DemoFlags>(async (context, flags) => {
        if (!flags.headless) {
          // The console itself opens from screens/main.tsx; here there is no terminal to open it in.
          throw new DrcError('drc demo opens the console and needs a terminal', { hint: 'run it in a terminal, or pass --headless', exitCode: EXIT.critical });
        }
        const { runHeadlessDemo } = await import('../../demo/run-demo.js');
        const result = await withSandbox({ keep: Boolean(flags.keep), emit: context.emit }, (sandbox, signal) => runHeadlessDemo(sandbox, context.emit, signal));
        return result.exitCode;
      }),
    );
}

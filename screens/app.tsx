import { render } from 'ink';
import { loadConfig, type LoadedConfig } from '../src/config/load.js';
import { reportError } from '../src/cli/context.js';
import { createPrinter } from '../src/cli/printer.js';
import { EXIT } from '../src/errors.js';
import { Root } from './root.js';
import { createShutdown, ShutdownContext } from './hooks/use-shutdown.js';

/** --config from the bare invocation's flags (main.tsx lets only global flags through). */
function readConfigFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--config') return argv[i + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

/**
 * Opens the console. Ink's own Ctrl+C exit is off: the root asks before stopping a running
 * step. SIGHUP (the SSH session dropped) and SIGTERM stop what runs, record it in the journal
 * and leave the incident open for `drc resume`.
 */
export interface TuiOptions {
  loaded?: LoadedConfig;
  playbookVars?: Record<string, string>;
  /** Runs after the journal is written and before the process exits on SIGHUP/SIGTERM (the demo stops its servers here). */
  onSignalExit?: () => Promise<void>;
}

export async function startTui(argv: string[], options: TuiOptions = {}): Promise<void> {
  let loaded: LoadedConfig;
  try {
    loaded = options.loaded ?? loadConfig(readConfigFlag(argv));
  } catch (error) {
    const printer = createPrinter('tty');
    process.exitCode = reportError(printer.emit, error);
    return;
  }
  const shutdown = createShutdown();
  const instance = render(
    <ShutdownContext.Provider value={shutdown}>
      <Root loaded={loaded} {...(options.playbookVars ? { playbookVars: options.playbookVars } : {})} />
    </ShutdownContext.Provider>,
    { exitOnCtrlC: false, patchConsole: true },
  );
  const onSignal = (signal: NodeJS.Signals) => {
    // After a dropped SSH session the terminal is gone and every write fails with EIO/EPIPE;
    // the journal and the cleanup below must still run to the end.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
    void shutdown
      .run(signal)
      .catch(() => {})
      .then(() => options.onSignalExit?.())
      .finally(() => {
        instance.unmount();
        // Exit here, once the journal is written: left to itself, signal-exit (in Ink) re-raises
        // the signal as soon as the console's listener is gone.
        process.exit(EXIT.warning);
      });
  };
  process.on('SIGHUP', onSignal).on('SIGTERM', onSignal);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGHUP', onSignal).off('SIGTERM', onSignal);
  }
}

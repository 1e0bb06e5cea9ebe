import type { Command } from 'commander';
import type { LoadedConfig } from '../config/parse.js';
import { redact } from '../config/secrets.js';
import { DrcError, EXIT, errorMessage, type ExitCode } from '../errors.js';
import type { Emit } from '../events.js';
import { createPrinter, type Printer } from './printer.js';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

/** What every headless command gets: its printer, the config on demand, and the terminal facts. */
export interface CommandContext {
  emit: Emit;
  printer: Printer;
  json: boolean;
  /** stdin and stderr are a terminal: a person is there and may be asked. */
  interactive: boolean;
  configPath: string | undefined;
  loadConfig(): Promise<LoadedConfig>;
}

export type CommandHandler<O> = (context: CommandContext, options: O, args: string[]) => Promise<ExitCode>;

/**
 * Wraps a command's handler: builds the context from the global flags, turns DrcErrors into
 * one clear message and their exit code, and anything unexpected into exit 2 with a bug note.
 */
export function commandAction<O extends object>(handler: CommandHandler<O>) {
  return async function (this: Command, ...rest: unknown[]): Promise<void> {
    const command = rest[rest.length - 1] as Command;
    const options = command.optsWithGlobals() as O & GlobalOptions;
    const args = command.args;
    const json = Boolean(options.json);
    const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
    const printer = createPrinter(json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain');
    let cached: Promise<LoadedConfig> | undefined;
    let resulted = false;
    const emit: Emit = (event) => {
      if (event.type === 'result') resulted = true;
      printer.emit(event);
    };
    const context: CommandContext = {
      emit,
      printer,
      json,
      interactive,
      configPath: options.config,
      loadConfig: () => (cached ??= loadConfigOnDemand(options.config).then(async (loaded) => (await settleInterruptedRestores(loaded, emit), loaded))),
    };
    let exitCode: ExitCode;
    try {
      exitCode = await handler(context, options, args);
    } catch (error) {
      exitCode = reportError(printer.emit, error);
      // Whatever the exit path, a --json reader gets a result object last.
      if (json && !resulted) emit({ type: 'result', command: command.name(), exitCode, summary: `${command.name()} ${exitCode === EXIT.warning ? 'REFUSED' : 'FAILED'}: ${errorMessage(error)}` });
    }
    if (json && !resulted) emit({ type: 'result', command: command.name(), exitCode, summary: `${command.name()} ${exitCode === EXIT.ok ? 'OK' : exitCode === EXIT.warning ? 'WARNING' : 'FAILED'}` });
    printer.close();
    process.exitCode = exitCode;
  };
}

/**
 * The config for a command, loaded on first use: zod and the schema load only for commands
 * that need a config, and the conf package only when no file is named.
 */
async function loadConfigOnDemand(explicitPath: string | undefined): Promise<LoadedConfig> {
  const file = explicitPath ?? process.env.DRC_CONFIG;
  if (file) return (await import('../config/parse.js')).readConfigFile(file);
  return (await import('../config/load.js')).loadConfig();
}

/**
 * Every command that loads the config first settles what a killed drc left half-done (a swap,
 * connections refused, triggers dropped, scratch databases): one line per journal says what
 * was finished or undone. Costs one readdir when there is nothing.
 */
async function settleInterruptedRestores(loaded: LoadedConfig, emit: Emit): Promise<void> {
  const { hasRestoreJournals } = await import('../restore/restore-journal.js');
  if (!(await hasRestoreJournals(loaded.stateDir))) return;
  const { recoverUnfinishedRestores } = await import('../restore/recover-restore.js');
  await recoverUnfinishedRestores(loaded.config, loaded.stateDir, emit);
}

export function reportError(emit: Emit, error: unknown): ExitCode {
  if (error instanceof DrcError) {
    emit({ type: 'log', level: 'error', message: error.message, ...(error.hint ? { hint: error.hint } : {}) });
    return error.exitCode;
  }
  const detail = error instanceof Error ? (process.env.DRC_DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
  emit({
    type: 'log',
    level: 'error',
    message: `unexpected error: ${redact(detail)}`,
    hint: 'this is a bug in drc; rerun with DRC_DEBUG=1 for the stack trace and report it',
  });
  return EXIT.critical;
}

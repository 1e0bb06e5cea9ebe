import path from 'node:path';
import type { Command } from 'commander';
import { configFolder } from '../../config/config-folder.js';
import type { LoadedConfig } from '../../config/parse.js';
import { DrcError, EXIT, errorMessage, type ExitCode } from '../../errors.js';
import { displayPath } from '../../playbooks/playbook-error.js';
import { stepKind } from '../../playbooks/types.js';
import { parseVarFlags } from '../../playbooks/vars.js';
import { commandAction, type CommandContext } from '../context.js';
import { collect } from '../flags.js';

interface CheckFlags {
  var?: string[];
}

export function registerPlaybooks(program: Command): void {
  const playbooks = program
    .command('playbooks')
    .description('list the bundled and configured playbooks; "playbooks check FILE…" validates them')
    .action(commandAction(async (context) => listPlaybooks(context)));
  playbooks
    .command('check')
    .description('validate playbooks without running anything (with a config, also its source and target names)')
    .argument('<file...>', 'markdown playbooks')
    .option('--var <name=value>', 'set a playbook variable; repeatable', collect, [])
    .action(commandAction<CheckFlags>(async (context, flags, files) => checkPlaybooks(context, files, flags)));
}

async function listPlaybooks(context: CommandContext): Promise<ExitCode> {
  const loaded = await optionalConfig(context);
  // Loaded on use: the markdown parser (mdast, micromark) is the heavy part of playbooks.
  const { discoverPlaybooks, loadPlaybookFile } = await import('../../playbooks/load.js');
  const rows = discoverPlaybooks(loaded?.config, loaded ? configFolder(loaded) : undefined).map((entry) => {
    try {
      const playbook = loadPlaybookFile(entry.file, loaded ? { config: loaded.config } : {});
      return { id: entry.id, title: playbook.title, severity: playbook.severity, steps: playbook.steps.length, origin: entry.origin, file: entry.file, ok: true };
    } catch (error) {
      return { id: entry.id, origin: entry.origin, file: entry.file, ok: false, problem: errorMessage(error) };
    }
  });
  if (!context.json) {
    for (const row of rows) {
      const detail = row.ok ? `${row.title} (${row.severity}, ${row.steps} steps)` : `INVALID: ${row.problem?.split('\n')[0]}`;
      context.emit({ type: 'log', level: row.ok ? 'info' : 'warn', message: `${row.id.padEnd(20)} ${detail}  [${row.origin}: ${displayPath(row.file)}]` });
    }
  }
  const invalid = rows.filter((row) => !row.ok).length;
  context.emit({
    type: 'result',
    command: 'playbooks',
    exitCode: invalid ? EXIT.warning : EXIT.ok,
    summary: `${rows.length} playbook(s)${invalid ? `, ${invalid} invalid (see "drc playbooks check FILE")` : ''}; run one with "drc run ID"`,
    data: { playbooks: rows },
  });
  return invalid ? EXIT.warning : EXIT.ok;
}

async function checkPlaybooks(context: CommandContext, files: string[], flags: CheckFlags): Promise<ExitCode> {
  const vars = parseVarFlags(flags.var);
  if ('error' in vars) throw new DrcError(vars.error);
  const loaded = await optionalConfig(context);
  const { loadPlaybookFile } = await import('../../playbooks/load.js');
  let failed = 0;
  for (const file of files) {
    try {
      const playbook = loadPlaybookFile(file, { vars, ...(loaded ? { config: loaded.config } : {}) });
      const kinds = playbook.steps.map((step) => stepKind(step));
      const count = (kind: string) => kinds.filter((entry) => entry === kind).length;
      context.emit({
        type: 'log',
        level: 'info',
        message: `${displayPath(path.resolve(file))}: ok, "${playbook.title}": ${playbook.steps.length} steps (${count('shell')} shell, ${count('action')} drc, ${count('manual')} checklist, ${count('read-only')} read-only)`,
      });
    } catch (error) {
      failed += 1;
      context.emit({ type: 'log', level: 'error', message: errorMessage(error) });
    }
  }
  const note = loaded ? `, against ${loaded.origin}` : ' (no config: source names not checked)';
  context.emit({
    type: 'result',
    command: 'playbooks check',
    exitCode: failed ? EXIT.critical : EXIT.ok,
    summary: failed ? `${failed} of ${files.length} playbook(s) refused${note}` : `${files.length} playbook(s) valid${note}`,
    data: { files, failed },
  });
  return failed ? EXIT.critical : EXIT.ok;
}

/** The config when one is named or stored; listing and checking also work without one. */
async function optionalConfig(context: CommandContext): Promise<LoadedConfig | undefined> {
  if (context.configPath || process.env.DRC_CONFIG) return context.loadConfig();
  try {
    return await context.loadConfig();
  } catch {
    return undefined;
  }
}

import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { configFolder } from '../../config/config-folder.js';
import { DEFAULT_STATE_DIR, type LoadedConfig } from '../../config/parse.js';
import { DrcError } from '../../errors.js';
import { parseVarFlags } from '../../playbooks/vars.js';
import { commandAction, type CommandContext } from '../context.js';
import { collect } from '../flags.js';

interface RunFlags {
  var?: string[];
  yes?: boolean;
  stateDir?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a playbook headless as a new incident (journal, timings, post-mortem)')
    .argument('<playbook>', 'a playbook id (see "drc playbooks") or a path to a markdown file')
    .option('--var <name=value>', 'set a playbook variable; repeatable (lost_at=ISO sets when the data was lost)', collect, [])
    .option('--yes', 'confirm every checklist item: the person running drc vouches for them')
    .option('--state-dir <dir>', 'where the incident is kept when there is no config yet (server-lost: the config comes back in a step); default /var/lib/drc')
    .action(
      commandAction<RunFlags>(async (context, flags, args) => {
        const loaded = await loadConfigIfPresent(context);
        const vars = parseVarFlags(flags.var);
        if ('error' in vars) throw new DrcError(vars.error, { hint: 'e.g. --var app_dir=/var/www/app' });
        // Loaded on use: the playbook parser (mdast) and the runner with every action's engine.
        const [{ resolvePlaybook }, { IncidentRunner }, { driveIncident }] = await Promise.all([
          import('../../playbooks/load.js'),
          import('../../incidents/runner.js'),
          import('../incident-driver.js'),
        ]);
        const playbook = resolvePlaybook(args[0]!, { vars, ...(loaded ? { config: loaded.config, configDir: configFolder(loaded) } : {}) });
        const stateDir = loaded?.stateDir ?? path.resolve(flags.stateDir ?? DEFAULT_STATE_DIR);
        const runner = IncidentRunner.start(playbook, { stateDir, ...(loaded ? { config: loaded.config } : {}) });
        return driveIncident(context, runner, Boolean(flags.yes), false);
      }),
    );
}

/**
 * The config, or undefined when none has been written yet: on a machine rebuilt after the
 * server was lost, the incident starts (and its RTO clock with it) before `drc init --from`
 * brings the config back. A config that exists but does not load is still an error. A named
 * config path is passed on in DRC_CONFIG, so the steps that write and read it agree.
 */
async function loadConfigIfPresent(context: CommandContext): Promise<LoadedConfig | undefined> {
  const file = context.configPath ?? process.env.DRC_CONFIG;
  if (file) {
    process.env.DRC_CONFIG = path.resolve(file);
    if (!existsSync(file)) return noConfigYet(context, path.resolve(file));
    return context.loadConfig();
  }
  const { openConfigStore } = await import('../../config/load.js');
  if (!openConfigStore().has('sources')) return noConfigYet(context, 'the conf store');
  return context.loadConfig();
}

function noConfigYet(context: CommandContext, where: string): undefined {
  context.emit({ type: 'log', level: 'info', message: `no config at ${where} yet: the playbook runs without one until a step writes it` });
  return undefined;
}

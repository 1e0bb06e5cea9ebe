import type { Command } from 'commander';
import { configFolder } from '../../config/config-folder.js';
import { DrcError } from '../../errors.js';
import { parseVarFlags } from '../../playbooks/vars.js';
import { commandAction } from '../context.js';
import { collect } from '../flags.js';

interface RunFlags {
  var?: string[];
  yes?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a playbook headless as a new incident (journal, timings, post-mortem)')
    .argument('<playbook>', 'a playbook id (see "drc playbooks") or a path to a markdown file')
    .option('--var <name=value>', 'set a playbook variable; repeatable (lost_at=ISO sets when the data was lost)', collect, [])
    .option('--yes', 'confirm every checklist item: the person running drc vouches for them')
    .action(
      commandAction<RunFlags>(async (context, flags, args) => {
        const loaded = await context.loadConfig();
        const vars = parseVarFlags(flags.var);
        if ('error' in vars) throw new DrcError(vars.error, { hint: 'e.g. --var app_dir=/var/www/app' });
        // Loaded on use: the playbook parser (mdast) and the runner with every action's engine.
        const [{ resolvePlaybook }, { IncidentRunner }, { driveIncident }] = await Promise.all([
          import('../../playbooks/load.js'),
          import('../../incidents/runner.js'),
          import('../incident-driver.js'),
        ]);
        const playbook = resolvePlaybook(args[0]!, { vars, config: loaded.config, configDir: configFolder(loaded) });
        const runner = IncidentRunner.start(playbook, { stateDir: loaded.stateDir, config: loaded.config });
        return driveIncident(context, runner, Boolean(flags.yes), false);
      }),
    );
}

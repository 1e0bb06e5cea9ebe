import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DrcError, EXIT } from '../../errors.js';
import type { InstallOutcome } from '../../schedule/install.js';
import { resolveDrcCommand, type ScheduleSettings } from '../../schedule/jobs.js';
import { commandAction, type CommandContext } from '../context.js';

interface ScheduleInstallOptions {
  cron?: boolean;
  systemd?: boolean;
  print?: boolean;
  user?: string;
  envFile?: string;
  logFile?: string;
  drcCommand?: string;
  crontabFile?: string;
  unitDir?: string;
}

export function registerSchedule(program: Command): void {
  const schedule = program.command('schedule').description('run drc unattended: nightly backup and prune, hourly status, monthly drill');
  schedule
    .command('install')
    .description('write a crontab block or systemd units (running it twice changes nothing)')
    .option('--cron', 'a block in the crontab')
    .option('--systemd', 'systemd service and timer units (default where systemd runs)')
    .option('--print', 'show what would be installed, change nothing')
    .option('--user <name>', 'run the jobs as this user')
    .option('--env-file <path>', 'KEY=VALUE file with the secrets the jobs need (mode 0600)')
    .option('--log-file <path>', 'cron: append the jobs\' output here instead of mailing it')
    .option('--drc-command <command>', 'how the scheduler starts drc (default: this installation)')
    .option('--crontab-file <path>', 'cron: edit this file instead of the crontab')
    .option('--unit-dir <path>', 'systemd: write units here and leave systemctl to you (default /etc/systemd/system)')
    .action(
      commandAction<ScheduleInstallOptions>(async (context, options) => {
        if (options.cron && options.systemd) throw new DrcError('choose one of --cron and --systemd', { exitCode: EXIT.critical });
        const useCron = options.cron ?? (!options.systemd && !existsSync('/run/systemd/system'));
        const settings = await buildSettings(context, options);
        if (options.print) return printSchedule(context, settings, useCron);
        // Loaded on use, so other commands start without the installers.
        const { installCron, installSystemd } = await import('../../schedule/install.js');
        const outcome = useCron ? await installCron(settings, options.crontabFile) : await installSystemd(settings, options.unitDir);
        return reportInstall(context, outcome, useCron, options.unitDir !== undefined && !useCron);
      }),
    );
}

async function buildSettings(context: CommandContext, options: ScheduleInstallOptions): Promise<ScheduleSettings> {
  const configFile = context.configPath ?? process.env.DRC_CONFIG;
  if (!configFile) {
    throw new DrcError('schedule install needs a config file: the jobs may run as another user with another conf store', {
      hint: 'pass --config /etc/drc/config.json (or set DRC_CONFIG)',
    });
  }
  const { config } = await context.loadConfig(); // an invalid config fails now, not at 02:15
  const settings: ScheduleSettings = { drc: [], configPath: path.resolve(configFile) };
  if (config.sources.some((source) => source.type === 'mysql')) settings.archive = true;
  if (options.drcCommand) settings.drc = options.drcCommand.split(/\s+/).filter(Boolean);
  else {
    const resolved = resolveDrcCommand();
    settings.drc = resolved.command;
    if (resolved.guessed) context.emit({ type: 'log', level: 'warn', message: 'drc is not on PATH here; the jobs call plain "drc"', hint: 'pass --drc-command /path/to/drc' });
  }
  if (options.user) settings.user = options.user;
  if (options.logFile) settings.logFile = path.resolve(options.logFile);
  if (options.envFile) {
    settings.envFile = path.resolve(options.envFile);
    checkEnvFile(context, settings.envFile);
  }
  return settings;
}

/** The env file holds secrets: say so when it is missing or readable by others. */
function checkEnvFile(context: CommandContext, file: string): void {
  if (!existsSync(file)) {
    context.emit({ type: 'log', level: 'warn', message: `environment file ${file} does not exist yet; the jobs will fail until it does` });
  } else if (statSync(file).mode & 0o077) {
    context.emit({ type: 'log', level: 'warn', message: `environment file ${file} is readable by others`, hint: `chmod 600 ${file}` });
  }
}

async function printSchedule(context: CommandContext, settings: ScheduleSettings, useCron: boolean): Promise<typeof EXIT.ok> {
  const [{ renderCronBlock }, { renderSystemdUnits }] = await Promise.all([import('../../schedule/cron.js'), import('../../schedule/systemd.js')]);
  const files = useCron ? [{ name: 'crontab', content: renderCronBlock(settings) + '\n' }] : renderSystemdUnits(settings);
  if (context.json) {
    context.emit({ type: 'result', command: 'schedule install', exitCode: EXIT.ok, summary: 'printed, nothing installed', data: { kind: useCron ? 'cron' : 'systemd', files } });
  } else {
    const text = useCron ? files[0]!.content : files.map((file) => `# ---- ${file.name}\n${file.content}`).join('\n');
    process.stdout.write(text);
  }
  return EXIT.ok;
}

function reportInstall(context: CommandContext, outcome: InstallOutcome, useCron: boolean, manualSystemctl: boolean): typeof EXIT.ok {
  for (const file of outcome.changed) context.emit({ type: 'log', level: 'info', message: `wrote ${file}` });
  if (manualSystemctl && outcome.changed.length) {
    context.emit({ type: 'log', level: 'info', message: `units written; to activate them run: ${outcome.commands.join(' && ')}` });
  }
  const summary = outcome.changed.length
    ? `schedule installed (${useCron ? 'cron' : 'systemd'}): ${outcome.changed.length} file(s) written`
    : `schedule already installed (${useCron ? 'cron' : 'systemd'}): nothing changed`;
  context.emit({ type: 'result', command: 'schedule install', exitCode: EXIT.ok, summary, data: { ...outcome } });
  return EXIT.ok;
}

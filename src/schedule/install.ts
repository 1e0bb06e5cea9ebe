import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { DrcError } from '../errors.js';
import { writeFileAtomic } from '../metrics/write-atomic.js';
import { renderCronBlock, replaceCronBlock } from './cron.js';
import type { ScheduleSettings } from './jobs.js';
import { renderSystemdUnits, timerNames } from './systemd.js';
import { childEnvOptions } from '../trust/child-env.js';

export const DEFAULT_UNIT_DIR = '/etc/systemd/system';

export interface InstallOutcome {
  /** What was written; empty when everything already matched (running twice changes nothing). */
  changed: string[];
  unchanged: string[];
  /** Commands run (or, for a custom unit folder, left for the person to run). */
  commands: string[];
}

/**
 * Puts drc's block into the crontab of the user running drc (or `settings.user`, which needs
 * root), or into `crontabFile` when given (a file in crontab format, e.g. for /etc/cron.d
 * review or tests). Writes only when the block differs.
 */
export async function installCron(settings: ScheduleSettings, crontabFile?: string): Promise<InstallOutcome> {
  const where = crontabFile ?? `crontab of ${settings.user ?? 'the current user'}`;
  const current = crontabFile ? await readOptional(crontabFile) : await readCrontab(settings.user);
  const next = replaceCronBlock(current, renderCronBlock(settings));
  if (next === current) return { changed: [], unchanged: [where], commands: [] };
  if (crontabFile) await writeFileAtomic(crontabFile, next, 0o600);
  else await writeCrontab(settings.user, next);
  return { changed: [where], unchanged: [], commands: crontabFile ? [] : ['crontab -'] };
}

/**
 * Writes the units that differ, then reloads systemd and enables the timers. With a unit
 * folder other than /etc/systemd/system, systemctl is not run: the commands are returned for
 * the person to run where the units will live.
 */
export async function installSystemd(settings: ScheduleSettings, unitDir = DEFAULT_UNIT_DIR): Promise<InstallOutcome> {
  const outcome: InstallOutcome = { changed: [], unchanged: [], commands: [] };
  await mkdir(unitDir, { recursive: true });
  for (const unit of renderSystemdUnits(settings)) {
    const file = path.join(unitDir, unit.name);
    if ((await readOptional(file)) === unit.content) {
      outcome.unchanged.push(file);
      continue;
    }
    await writeFileAtomic(file, unit.content, 0o644);
    outcome.changed.push(file);
  }
  const commands = [['systemctl', 'daemon-reload'], ['systemctl', 'enable', '--now', ...timerNames(settings)]];
  outcome.commands = commands.map((words) => words.join(' '));
  if (path.resolve(unitDir) !== DEFAULT_UNIT_DIR) return outcome;
  for (const [command, ...args] of commands) {
    const result = await execa(command!, args, { ...childEnvOptions(), reject: false });
    if (result.exitCode !== 0) {
      throw new DrcError(`${[command, ...args].join(' ')} failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`, {
        hint: 'run "drc schedule install --systemd" as root, or use --print and install the units yourself',
      });
    }
  }
  return outcome;
}

async function readOptional(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

async function readCrontab(user: string | undefined): Promise<string> {
  const result = await execa('crontab', [...(user ? ['-u', user] : []), '-l'], { ...childEnvOptions(), reject: false });
  if (result.exitCode === 0) return result.stdout.endsWith('\n') || !result.stdout ? result.stdout : result.stdout + '\n';
  if (/no crontab/i.test(result.stderr)) return '';
  throw new DrcError(`crontab -l failed: ${result.stderr.trim() || (result.failed ? result.shortMessage : `exit ${result.exitCode}`)}`, {
    hint: 'install cron (e.g. "apt-get install cron"), use --systemd, or --crontab-file FILE',
  });
}

async function writeCrontab(user: string | undefined, content: string): Promise<void> {
  const result = await execa('crontab', [...(user ? ['-u', user] : []), '-'], { ...childEnvOptions(), input: content, reject: false });
  if (result.exitCode !== 0) {
    throw new DrcError(`crontab - failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`, {
      hint: user ? `installing into ${user}'s crontab needs root` : 'check that cron is installed and you may use it (/etc/cron.allow)',
    });
  }
}

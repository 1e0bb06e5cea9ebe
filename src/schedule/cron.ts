import { DrcError } from '../errors.js';
import { shellJoin, shellQuote } from '../trust/shell-quote.js';
import { ARCHIVE_JOB, JOBS, jobArgs, type ScheduleSettings } from './jobs.js';

export const CRON_BEGIN = '# BEGIN drc';
export const CRON_END = '# END drc';

/**
 * The crontab block: one line per time, the environment file sourced with `set -a` so its
 * KEY=VALUE lines (the systemd EnvironmentFile format) become the job's environment, and
 * prune chained after the backup so it never runs while a long backup is still writing.
 */
export function renderCronBlock(settings: ScheduleSettings): string {
  const command = (args: string[]) => shellJoin(args);
  const byName = new Map(JOBS.map((job) => [job.name, job]));
  const lines: Array<[string, string]> = [
    [byName.get('backup')!.cron, `{ ${command(jobArgs(settings, byName.get('backup')!))}; ${command(jobArgs(settings, byName.get('prune')!))}; }`],
    [byName.get('status')!.cron, command(jobArgs(settings, byName.get('status')!))],
    [byName.get('drill')!.cron, command(jobArgs(settings, byName.get('drill')!))],
    ...(settings.archive ? [[ARCHIVE_JOB.cron, command(jobArgs(settings, ARCHIVE_JOB))] as [string, string]] : []),
  ];
  const prefix = `cd / && ${settings.envFile ? `set -a && . ${shellQuote(settings.envFile)} && set +a && ` : ''}`;
  const suffix = settings.logFile ? ` >>${shellQuote(settings.logFile)} 2>&1` : '';
  return [
    `${CRON_BEGIN} — managed by "drc schedule install"; edits between these markers are replaced`,
    `# config ${settings.configPath}${settings.envFile ? `, environment ${settings.envFile}` : ''}`,
    // cron turns an unescaped % into a newline.
    ...lines.map(([when, what]) => `${when} ${prefix}${what}${suffix}`.replace(/%/g, '\\%')),
    CRON_END,
  ].join('\n');
}

/** The crontab with drc's block replaced in place (or appended); the rest is left byte for byte. */
export function replaceCronBlock(crontab: string, block: string): string {
  const lines = crontab.split('\n');
  const begin = lines.findIndex((line) => line.startsWith(CRON_BEGIN));
  const end = lines.findIndex((line, index) => index > begin && line.trim() === CRON_END);
  if (begin >= 0 && end < 0) {
    throw new DrcError(`crontab has "${CRON_BEGIN}" on line ${begin + 1} but no "${CRON_END}" after it`, {
      hint: 'fix the crontab by hand ("crontab -e"): add the END line or remove the drc lines, then rerun',
    });
  }
  if (begin >= 0) return [...lines.slice(0, begin), block, ...lines.slice(end + 1)].join('\n');
  const base = crontab.replace(/\n*$/, '');
  return (base ? `${base}\n\n` : '') + block + '\n';
}

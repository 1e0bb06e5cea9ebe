import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';

/** What a scheduled job needs to know about the installation it runs. */
export interface ScheduleSettings {
  /** The command that starts drc, as argv words: ["/usr/bin/node", "/opt/drc/dist/screens/main.js"]. */
  drc: string[];
  configPath: string;
  envFile?: string;
  user?: string;
  /** cron only: append the jobs' output here instead of letting cron mail it. */
  logFile?: string;
  /** The config has a MySQL/MariaDB source: binlogs are archived (cron every 5 minutes, systemd a --follow service). */
  archive?: boolean;
}

export type JobName = 'backup' | 'prune' | 'status' | 'drill' | 'archive';

export interface ScheduledJob {
  name: JobName;
  description: string;
  /** drc arguments after the global flags. */
  args: string[];
  cron: string;
  /** systemd OnCalendar; undefined for prune, which systemd starts right after each backup. */
  onCalendar?: string;
  randomizedDelay?: string;
}

/**
 * Nightly backup at 02:15 (spread by up to 15 minutes so many hosts do not hit the same
 * bucket at once), prune right after it, status hourly, a restore drill on the first of each month.
 */
export const JOBS: ScheduledJob[] = [
  { name: 'backup', description: 'drc nightly backup', args: ['backup'], cron: '15 2 * * *', onCalendar: '*-*-* 02:15:00', randomizedDelay: '15min' },
  { name: 'prune', description: 'drc retention (after the nightly backup)', args: ['prune'], cron: '15 2 * * *' },
  { name: 'status', description: 'drc backup health check', args: ['status'], cron: '5 * * * *', onCalendar: '*-*-* *:05:00' },
  { name: 'drill', description: 'drc monthly restore drill', args: ['drill'], cron: '30 4 1 * *', onCalendar: '*-*-01 04:30:00', randomizedDelay: '30min' },
];

/**
 * Point-in-time recovery: cron ships the closed binlogs every five minutes (`--once`); systemd
 * runs a long-lived `--follow` service instead, for an RPO of seconds.
 */
export const ARCHIVE_JOB: ScheduledJob = { name: 'archive', description: 'drc binlog archiver (point-in-time recovery)', args: ['archive', '--once'], cron: '*/5 * * * *' };
export const ARCHIVE_FOLLOW_ARGS = ['archive', '--follow'];

/** The drc arguments of a job, with the config path every job must use. */
export function jobArgs(settings: ScheduleSettings, job: ScheduledJob): string[] {
  return [...settings.drc, '--config', settings.configPath, ...job.args];
}

/**
 * How the scheduler should start this drc: the built entry run by this node when drc runs
 * from dist/, else a `drc` on PATH (a development checkout run through tsx cannot be scheduled as is).
 */
export function resolveDrcCommand(argv = process.argv, env = process.env): { command: string[]; guessed: boolean } {
  const entry = argv[1];
  if (entry && entry.endsWith('.js')) return { command: [process.execPath, realpathSync(entry)], guessed: false };
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'drc');
    try {
      accessSync(candidate, constants.X_OK);
      return { command: [realpathSync(candidate)], guessed: false };
    } catch {
      // not in this folder
    }
  }
  return { command: ['drc'], guessed: true };
}

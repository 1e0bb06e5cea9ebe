import { ARCHIVE_FOLLOW_ARGS, JOBS, jobArgs, type ScheduleSettings, type ScheduledJob } from './jobs.js';

export interface UnitFile {
  name: string;
  content: string;
}

const HEADER = '# Managed by "drc schedule install"; rerun it instead of editing this file.';

/**
 * A oneshot service per job and a timer per scheduled one. Prune has no timer: the backup
 * service Wants it and it is ordered After the backup, so systemd runs it once the backup
 * has finished, whether the backup passed or not (retention never drops the newest complete set).
 */
export function renderSystemdUnits(settings: ScheduleSettings): UnitFile[] {
  const units: UnitFile[] = [];
  for (const job of JOBS) {
    units.push({ name: `drc-${job.name}.service`, content: renderService(settings, job) });
    if (job.onCalendar) units.push({ name: `drc-${job.name}.timer`, content: renderTimer(job) });
  }
  if (settings.archive) units.push({ name: ARCHIVE_SERVICE, content: renderArchiveService(settings) });
  return units;
}

const ARCHIVE_SERVICE = 'drc-archive.service';

/** The units to enable: every job with its own schedule, and the binlog archiver when there is one. */
export function timerNames(settings?: ScheduleSettings): string[] {
  return [...JOBS.filter((job) => job.onCalendar).map((job) => `drc-${job.name}.timer`), ...(settings?.archive ? [ARCHIVE_SERVICE] : [])];
}

/** `drc archive --follow`, restarted when it stops: binlogs shipped every 30 s, for an RPO of seconds. */
function renderArchiveService(settings: ScheduleSettings): string {
  const service = ['Type=simple'];
  if (settings.user) service.push(`User=${settings.user}`);
  if (settings.envFile) service.push(`EnvironmentFile=${settings.envFile}`);
  service.push(`ExecStart=${[...settings.drc, '--config', settings.configPath, ...ARCHIVE_FOLLOW_ARGS].map(quoteSystemd).join(' ')}`, 'Restart=always', 'RestartSec=30', 'Nice=10');
  return [HEADER, '[Unit]', 'Description=drc binlog archiver (point-in-time recovery)', 'Wants=network-online.target', 'After=network-online.target', '', '[Service]', ...service, '', '[Install]', 'WantedBy=multi-user.target', ''].join('\n');
}

function renderService(settings: ScheduleSettings, job: ScheduledJob): string {
  const unit = [`Description=${job.description}`, 'Wants=network-online.target', 'After=network-online.target'];
  if (job.name === 'backup') unit.push('Wants=drc-prune.service');
  if (job.name === 'prune') unit.push('After=drc-backup.service');
  const service = ['Type=oneshot'];
  if (settings.user) service.push(`User=${settings.user}`);
  if (settings.envFile) service.push(`EnvironmentFile=${settings.envFile}`);
  service.push(`ExecStart=${jobArgs(settings, job).map(quoteSystemd).join(' ')}`);
  // status reports problems through its exit code and notifications; that is not a unit failure.
  if (job.name === 'status') service.push('SuccessExitStatus=1 2');
  if (job.name !== 'status') service.push('Nice=10', 'IOSchedulingClass=best-effort', 'IOSchedulingPriority=7');
  return [HEADER, '[Unit]', ...unit, '', '[Service]', ...service, ''].join('\n');
}

function renderTimer(job: ScheduledJob): string {
  const timer = [`OnCalendar=${job.onCalendar}`, 'Persistent=true'];
  if (job.randomizedDelay) timer.push(`RandomizedDelaySec=${job.randomizedDelay}`);
  return [HEADER, '[Unit]', `Description=${job.description} (timer)`, '', '[Timer]', ...timer, '', '[Install]', 'WantedBy=timers.target', ''].join('\n');
}

/** systemd's own quoting: double quotes around words with spaces; % is a specifier and is doubled. */
function quoteSystemd(word: string): string {
  const escaped = word.replace(/%/g, '%%');
  return /[\s"'\\]/.test(escaped) ? `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : escaped;
}

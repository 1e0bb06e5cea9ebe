import type { Config, NotifyKind } from '../config/schema.js';
import { redact, tryResolveSecret } from '../config/secrets.js';
import { errorMessage } from '../errors.js';
import { ignoreEvents, type Emit } from '../events.js';
import { SEND_TIMEOUT_MS } from './channels.js';

export type PingPhase = 'start' | 'success' | 'fail';

/**
 * Dead-man's-switch pings in the healthchecks.io protocol: `<url>/start` when a job starts,
 * `<url>` when it succeeds, `<url>/fail` when it fails. If drc never runs at all (a cron job
 * in the wrong folder, a deleted timer), the missing ping is what raises the alarm.
 * A failed ping is logged and never fails the job.
 */
export async function pingHealthcheck(
  config: Config,
  phase: PingPhase,
  options: { job?: NotifyKind; message?: string; emit?: Emit } = {},
): Promise<void> {
  const job = options.job ?? 'backup';
  const emit = options.emit ?? ignoreEvents;
  const checks = (config.notify ?? []).filter((entry) => entry.type === 'healthchecks' && (entry.on ?? ['backup']).includes(job));
  for (const check of checks) {
    if (check.type !== 'healthchecks') continue;
    try {
      const base = tryResolveSecret({ env: check.urlEnv, file: check.urlFile }, 'healthchecks URL');
      if (!base) {
        emit({ type: 'log', level: 'warn', message: `healthchecks ping skipped: ${check.urlEnv ? `env var ${check.urlEnv}` : 'its URL'} is not set` });
        continue;
      }
      const url = base.replace(/\/+$/, '') + (phase === 'start' ? '/start' : phase === 'fail' ? '/fail' : '');
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': 'drconsole' },
        body: redact(options.message ?? `drc ${job} ${phase}`).slice(0, 10_000),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      emit({ type: 'log', level: 'warn', message: `healthchecks ${phase} ping failed: ${redact(errorMessage(error))}` });
    }
  }
}

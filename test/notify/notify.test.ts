import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { registerSecret } from '../../src/config/secrets.js';
import type { DrcEvent } from '../../src/events.js';
import { pingHealthcheck } from '../../src/notify/healthchecks.js';
import { notifyEvent } from '../../src/notify/notify.js';
import { startDeadEndpoint } from '../helpers/s3rver.js';
import { makeTempDir } from '../helpers/tmp.js';
import { startRecordingServer, startSmtpServer } from './servers.js';

const SMTP_USER = 'alerts';
const SMTP_PASS = 'smtp-pass-7f3a9c';
const DB_PASSWORD = 'db-secret-Qx81zP';
let http: Awaited<ReturnType<typeof startRecordingServer>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let deadEndpoint: string;
let stateDir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  http = await startRecordingServer();
  smtp = await startSmtpServer({ user: SMTP_USER, pass: SMTP_PASS });
  deadEndpoint = await startDeadEndpoint();
  process.env.DRC_TEST_SLACK_URL = `${http.url}/slack/T0001/B0001/hook-token-abc123`;
  process.env.DRC_TEST_WEBHOOK_URL = `${http.url}/hooks/drc`;
  process.env.DRC_TEST_SMTP_URL = `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtp.port}`;
  process.env.DRC_TEST_BROKEN_URL = `${http.url}/broken/hook-token-def456`;
  process.env.DRC_TEST_DEAD_URL = `${deadEndpoint}/hook-token-ghi789`;
  process.env.DRC_TEST_HC_URL = `${http.url}/ping/5f1c-uuid/`;
  // What a backup registers when it reads the database password.
  registerSecret(DB_PASSWORD);
});

afterAll(async () => {
  await http?.stop();
  await smtp?.stop();
});

beforeEach(async () => {
  ({ dir: stateDir, cleanup } = await makeTempDir('drc-notify-'));
  http.requests.length = 0;
  smtp.mails.length = 0;
  return cleanup;
});

function configWith(notify: unknown[]): Config {
  return { notify } as unknown as Config;
}

const allChannels = configWith([
  { type: 'slack', urlEnv: 'DRC_TEST_SLACK_URL' },
  { type: 'webhook', urlEnv: 'DRC_TEST_WEBHOOK_URL' },
  { type: 'email', to: ['ops@example.test'], from: 'drc@example.test', smtpUrlEnv: 'DRC_TEST_SMTP_URL' },
]);

const backupFailed = {
  kind: 'backup' as const,
  level: 'critical' as const,
  summary: `backup failed: app-db: mysqldump: Access denied for user 'backup' (using password: ${DB_PASSWORD})`,
  details: ['app-db: failed', 'app: 12.0 MiB'],
};

describe('notifyEvent', () => {
  test('a failed backup reaches Slack, the webhook and email, with secrets masked', async () => {
    const events: DrcEvent[] = [];
    const outcome = await notifyEvent(allChannels, stateDir, backupFailed, (e) => events.push(e));
    expect(outcome).toEqual({ due: true, sent: ['slack (notify[0])', 'webhook (notify[1])', 'email (notify[2])'], failed: [] });
    expect(events).toEqual([]);

    const slack = http.requests.find((r) => r.path.startsWith('/slack/'))!;
    const slackText = (JSON.parse(slack.body) as { text: string }).text;
    expect(slackText).toMatch(/^\*\[drc \S+\] CRITICAL backup: backup failed: app-db: mysqldump: Access denied/);
    expect(slackText).toContain('(using password: ********)');
    expect(slackText).toContain('- app: 12.0 MiB');

    const hook = JSON.parse(http.requests.find((r) => r.path === '/hooks/drc')!.body) as Record<string, unknown>;
    expect(hook).toMatchObject({ source: 'drconsole', kind: 'backup', level: 'critical', details: ['app-db: failed', 'app: 12.0 MiB'] });
    expect(hook.summary).toContain('(using password: ********)');

    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail).toMatchObject({ from: 'drc@example.test', to: ['ops@example.test'], user: SMTP_USER });
    expect(mail.raw).toMatch(/Subject: \[drc \S+\] CRITICAL backup: backup failed/);
    expect(mail.raw).toContain('********');

    const everything = JSON.stringify(http.requests) + smtp.mails.map((m) => m.raw).join('');
    expect(everything).not.toContain(DB_PASSWORD);
  });

  test('OK runs stay quiet; the first OK after a failure says it recovered, once', async () => {
    const ok = { kind: 'backup' as const, level: 'ok' as const, summary: 'backup complete: 2 sources' };
    expect((await notifyEvent(allChannels, stateDir, ok, () => {})).due).toBe(false);
    expect(http.requests).toHaveLength(0);
    await notifyEvent(allChannels, stateDir, backupFailed, () => {});
    expect((await notifyEvent(allChannels, stateDir, backupFailed, () => {})).due).toBe(true);
    const recovered = await notifyEvent(allChannels, stateDir, ok, () => {});
    expect(recovered).toMatchObject({ due: true, sent: ['slack (notify[0])', 'webhook (notify[1])', 'email (notify[2])'] });
    expect((await notifyEvent(allChannels, stateDir, ok, () => {})).due).toBe(false);
    expect(http.requests.filter((r) => r.path === '/hooks/drc').map((r) => (JSON.parse(r.body) as { level: string }).level)).toEqual(['critical', 'critical', 'ok']);
  });

  test('status is sent only when its level changes', async () => {
    const levels = ['ok', 'warning', 'warning', 'critical', 'critical', 'ok', 'ok'] as const;
    for (const level of levels) await notifyEvent(allChannels, stateDir, { kind: 'status', level, summary: `DRC ${level.toUpperCase()} - …` }, () => {});
    const sent = http.requests.filter((r) => r.path === '/hooks/drc').map((r) => (JSON.parse(r.body) as { level: string }).level);
    expect(sent).toEqual(['warning', 'critical', 'ok']);
  });

  test('drills of different sources are tracked apart', async () => {
    await notifyEvent(allChannels, stateDir, { kind: 'drill', subject: 'app-db', level: 'critical', summary: 'drill failed' }, () => {});
    const other = await notifyEvent(allChannels, stateDir, { kind: 'drill', subject: 'core-db', level: 'ok', summary: 'drill passed' }, () => {});
    expect(other.due).toBe(false);
    const same = await notifyEvent(allChannels, stateDir, { kind: 'drill', subject: 'app-db', level: 'ok', summary: 'drill passed' }, () => {});
    expect(same.due).toBe(true);
  });

  test('a channel that cannot deliver is logged without its URL, the others still get the message', async () => {
    const config = configWith([
      { type: 'webhook', urlEnv: 'DRC_TEST_BROKEN_URL' },
      { type: 'slack', urlEnv: 'DRC_TEST_DEAD_URL' },
      { type: 'email', to: ['ops@example.test'], from: 'drc@example.test', smtpUrlEnv: 'DRC_TEST_UNSET_SMTP_URL' },
      { type: 'webhook', urlEnv: 'DRC_TEST_WEBHOOK_URL' },
    ]);
    const events: DrcEvent[] = [];
    const outcome = await notifyEvent(config, stateDir, backupFailed, (e) => events.push(e));
    expect(outcome.sent).toEqual(['webhook (notify[3])']);
    expect(outcome.failed.map((f) => f.channel)).toEqual(['webhook (notify[0])', 'slack (notify[1])', 'email (notify[2])']);
    expect(outcome.failed[0]!.error).toBe('HTTP 500: internal error');
    expect(outcome.failed[2]!.error).toBe('SMTP URL: env var DRC_TEST_UNSET_SMTP_URL is not set');
    const warnings = events.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toBe('notification over webhook (notify[0]) not sent: HTTP 500: internal error');
    expect(warnings.join('\n')).not.toMatch(/hook-token/);
  });

  test('a failure that reached nobody is tried again on the next run', async () => {
    const broken = configWith([{ type: 'webhook', urlEnv: 'DRC_TEST_BROKEN_URL' }]);
    const status = { kind: 'status' as const, level: 'critical' as const, summary: 'DRC CRITICAL - disk full' };
    await notifyEvent(broken, stateDir, status, () => {});
    const retried = await notifyEvent(allChannels, stateDir, status, () => {});
    expect(retried).toMatchObject({ due: true, sent: ['slack (notify[0])', 'webhook (notify[1])', 'email (notify[2])'] });
  });

  test('"on" narrows a channel to some kinds of events', async () => {
    const config = configWith([
      { type: 'webhook', urlEnv: 'DRC_TEST_WEBHOOK_URL', on: ['drill'] },
      { type: 'slack', urlEnv: 'DRC_TEST_SLACK_URL' },
    ]);
    const outcome = await notifyEvent(config, stateDir, backupFailed, () => {});
    expect(outcome.sent).toEqual(['slack (notify[1])']);
  });
});

describe('pingHealthcheck', () => {
  const config = configWith([{ type: 'healthchecks', urlEnv: 'DRC_TEST_HC_URL' }, { type: 'healthchecks', urlEnv: 'DRC_TEST_HC_URL', on: ['drill'] }]);

  test('pings <url>/start, <url> and <url>/fail for the backup job', async () => {
    await pingHealthcheck(config, 'start');
    await pingHealthcheck(config, 'success', { message: 'backup complete' });
    await pingHealthcheck(config, 'fail', { message: `backup failed: ${DB_PASSWORD}` });
    expect(http.requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
      'POST /ping/5f1c-uuid/start drc backup start',
      'POST /ping/5f1c-uuid backup complete',
      'POST /ping/5f1c-uuid/fail backup failed: ********',
    ]);
  });

  test('pings the checks configured for the job only', async () => {
    await pingHealthcheck(config, 'success', { job: 'drill' });
    expect(http.requests).toHaveLength(1);
    await pingHealthcheck(config, 'success', { job: 'status' });
    expect(http.requests).toHaveLength(1);
  });

  test('a ping that fails is logged and does not throw', async () => {
    const events: DrcEvent[] = [];
    await pingHealthcheck(configWith([{ type: 'healthchecks', urlEnv: 'DRC_TEST_DEAD_URL' }]), 'start', { emit: (e) => events.push(e) });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'log', level: 'warn' });
    expect((events[0] as { message: string }).message).toMatch(/^healthchecks start ping failed: /);
  });
});

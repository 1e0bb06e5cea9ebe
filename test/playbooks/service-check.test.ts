import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { runCheckAction, runWaitAction } from '../../src/playbooks/actions/check.js';
import type { ActionContext } from '../../src/playbooks/actions/types.js';
import { parsePlaybook } from '../../src/playbooks/parse.js';
import { PlaybookError } from '../../src/playbooks/playbook-error.js';
import type { CheckAction, WaitAction } from '../../src/playbooks/schema.js';
import { startCalcomFake, type CalcomFake } from '../fakes/calcom-server.js';
import { UNTHROTTLED } from '../fakes/calcom-throttle.js';
import { startRetellFake, type RetellFake } from '../fakes/retell-server.js';

const CALCOM_KEY = 'cal_live_check_0f1e2d3c4b5a6978';
const RETELL_KEY = 'key_check_a1b2c3d4e5f60718';

function playbookWith(block: string): string {
  return `---\nid: probe\n---\n# Probe\n\n## Confirm the outage\n\`\`\`drc\n${block}\n\`\`\`\n`;
}

function problemsOf(block: string): string[] {
  try {
    parsePlaybook(playbookWith(block), { file: '/playbooks/probe.md', env: {} });
  } catch (error) {
    if (error instanceof PlaybookError) return error.message.split('\n');
    throw error;
  }
  throw new Error('the playbook was accepted');
}

/** A port nothing listens on: the vendor is unreachable. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('playbook parser: calcom-api / retell-api expectations', () => {
  it('accepts expect: up and expect: down', () => {
    const playbook = parsePlaybook(playbookWith('action: check\ncalcom-api: calcom\nexpect: down'), { file: '/playbooks/probe.md', env: {} });
    expect(playbook.steps[0]!.run).toMatchObject({ kind: 'action', action: { action: 'check', 'calcom-api': 'calcom', expect: 'down' } });
  });

  it('refuses any other expectation with the file and line of "expect"', () => {
    expect(problemsOf('action: check\nretell-api: retell\nexpect: offline')).toEqual([
      '/playbooks/probe.md:10: check action "expect": a retell-api check expects "up" (the API answers) or "down" (the outage is confirmed), got "offline"',
    ]);
    expect(problemsOf('action: wait\ncalcom-api: calcom\ninterval: 5s\nexpect: 0')).toEqual([
      '/playbooks/probe.md:11: wait action "expect": a calcom-api check expects "up" (the API answers) or "down" (the outage is confirmed), got 0',
    ]);
  });
});

describe('check action against the vendor fakes', () => {
  let calcom: CalcomFake;
  let retell: RetellFake;
  let config: Config;
  const lines: string[] = [];
  const context = (): ActionContext => ({
    config,
    stateDir: '/nonexistent',
    vars: {},
    env: {},
    signal: new AbortController().signal,
    line: (text) => lines.push(text),
    emit: () => {},
    onProcess: () => {},
  });
  const check = (fields: Partial<CheckAction>) => runCheckAction({ action: 'check', ...fields } as CheckAction, context());

  beforeAll(async () => {
    [calcom, retell] = await Promise.all([startCalcomFake({ apiKey: CALCOM_KEY, bookings: 1, throttle: UNTHROTTLED }), startRetellFake({ apiKey: RETELL_KEY, calls: 1 })]);
    process.env.CHECK_CALCOM_KEY = CALCOM_KEY;
    process.env.CHECK_RETELL_KEY = RETELL_KEY;
    process.env.CHECK_WRONG_KEY = 'cal_live_wrong_9988776655443322';
    config = parseConfig({
      sources: [
        { name: 'calcom', type: 'calcom', apiKeyEnv: 'CHECK_CALCOM_KEY', baseUrl: calcom.url },
        { name: 'retell', type: 'retell', apiKeyEnv: 'CHECK_RETELL_KEY', baseUrl: retell.url },
        { name: 'calcom-wrong-key', type: 'calcom', apiKeyEnv: 'CHECK_WRONG_KEY', baseUrl: calcom.url },
        { name: 'calcom-gone', type: 'calcom', apiKeyEnv: 'CHECK_CALCOM_KEY', baseUrl: `http://127.0.0.1:${await closedPort()}` },
        { name: 'calcom-no-key', type: 'calcom', apiKeyEnv: 'CHECK_UNSET_KEY', baseUrl: calcom.url },
      ],
      targets: [{ name: 'local', type: 'local', path: '/tmp/unused' }],
      encryption: { passphraseEnv: 'UNUSED' },
    });
  });
  afterAll(async () => {
    await Promise.all([calcom?.close(), retell?.close()]);
  });

  it('expect: up (the default) passes when the API answers with our key', async () => {
    await expect(check({ 'calcom-api': 'calcom' })).resolves.toMatchObject({ detail: expect.stringContaining('Cal.com API answers') });
    await expect(check({ 'retell-api': 'retell', expect: 'up' })).resolves.toMatchObject({ detail: expect.stringContaining('Retell API answers') });
  });

  it('expect: down passes on 5xx and on no answer at all, and fails while the API answers', async () => {
    retell.goDown({ status: 502 });
    try {
      await expect(check({ 'retell-api': 'retell', expect: 'down' })).resolves.toMatchObject({ detail: expect.stringMatching(/^outage confirmed: source retell: POST \/v2\/list-agents failed with 502/) });
    } finally {
      retell.comeBack();
    }
    await expect(check({ 'calcom-api': 'calcom-gone', expect: 'down' })).resolves.toMatchObject({ detail: expect.stringMatching(/^outage confirmed: .*ECONNREFUSED/) });
    await expect(check({ 'calcom-api': 'calcom', expect: 'down' })).rejects.toMatchObject({
      message: expect.stringMatching(/^check failed: Cal\.com API \(calcom\) is down: Cal\.com API answers .*, so Cal\.com is not down$/),
      hint: expect.stringContaining('the problem is on our side'),
    });
  });

  it('a rejected key or a missing key passes neither expectation: it is not an outage', async () => {
    for (const expected of ['up', 'down'] as const) {
      await expect(check({ 'calcom-api': 'calcom-wrong-key', expect: expected })).rejects.toMatchObject({
        message: expect.stringMatching(/API key rejected \(401\); check env var CHECK_WRONG_KEY: Cal\.com answers but refuses us, which is not an outage$/),
      });
      await expect(check({ 'calcom-api': 'calcom-no-key', expect: expected })).rejects.toMatchObject({ message: expect.stringContaining('CHECK_UNSET_KEY') });
    }
    expect(lines.join('\n')).not.toContain('cal_live_wrong_9988776655443322');
  });

  it('wait with expect: up keeps asking until the API is back', async () => {
    calcom.goDown();
    setTimeout(() => calcom.comeBack(), 1500);
    const wait = { action: 'wait', 'calcom-api': 'calcom', expect: 'up', interval: '500ms', timeout: '30s' } as WaitAction;
    const result = await runWaitAction(wait, context());
    expect(result.detail).toMatch(/^passed on attempt ([2-9]|\d\d)$/);
    expect(lines).toContainEqual(expect.stringMatching(/^attempt 1: source calcom: GET \/v2\/me failed with 503/));
  });
});

import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrc } from '../helpers/drc.js';
import { makeTempDir } from '../helpers/tmp.js';
import { startCalcomFake, type CalcomFake } from '../fakes/calcom-server.js';
import { UNTHROTTLED } from '../fakes/calcom-throttle.js';
import { startRetellFake, type RetellFake } from '../fakes/retell-server.js';

const CALCOM_KEY = 'cal_live_cli_5f1e2d3c4b5a69788796a5b4';
const RETELL_KEY = 'key_cli_0a1b2c3d4e5f60718293a4b5';

describe('drc sync (the real command line against the fakes)', () => {
  let calcom: CalcomFake;
  let retell: RetellFake;
  let temp: { dir: string; cleanup: () => Promise<void> };
  let configPath: string;
  let stateDir: string;
  const env = { SYNC_CALCOM_KEY: CALCOM_KEY, SYNC_RETELL_KEY: RETELL_KEY, SYNC_PASSPHRASE: 'correct horse battery staple' };
  const drc = (args: string[], extraEnv: Record<string, string | undefined> = {}) => runDrc(['--config', configPath, ...args], { env: { ...env, ...extraEnv } });
  const everything = async (run: { stdout: string; stderr: string }) =>
    run.stdout + run.stderr + (await readFile(path.join(stateDir, 'mirror', 'calcom.json'), 'utf8').catch(() => '')) + (await readFile(path.join(stateDir, 'mirror', 'retell.json'), 'utf8').catch(() => ''));

  beforeAll(async () => {
    [calcom, retell, temp] = await Promise.all([startCalcomFake({ apiKey: CALCOM_KEY, throttle: UNTHROTTLED }), startRetellFake({ apiKey: RETELL_KEY, calls: 20 }), makeTempDir()]);
    stateDir = path.join(temp.dir, 'state');
    configPath = path.join(temp.dir, 'drc.json');
    await writeFile(
      configPath,
      JSON.stringify({
        sources: [
          { name: 'calcom', type: 'calcom', apiKeyEnv: 'SYNC_CALCOM_KEY', baseUrl: calcom.url },
          { name: 'retell', type: 'retell', apiKeyEnv: 'SYNC_RETELL_KEY', baseUrl: retell.url },
        ],
        targets: [{ name: 'local', type: 'local', path: path.join(temp.dir, 'backups') }],
        encryption: { passphraseEnv: 'SYNC_PASSPHRASE' },
        stateDir,
      }),
    );
  });
  afterAll(async () => {
    await Promise.all([calcom.close(), retell.close(), temp.cleanup()]);
  });

  it('pulls Cal.com into an owner-only mirror and shows event types from it without asking the service', async () => {
    const pull = await drc(['sync', 'pull', 'calcom']);
    expect(pull.stderr).toContain('calcom: mirror updated (2 schedules, 3 eventTypes, 2 webhooks, 1 teams, 1 teamEventTypes, 1 ooo, 1 privateLinks, 120 bookings)');
    expect(pull.exitCode).toBe(0);
    expect((await stat(path.join(stateDir, 'mirror'))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(stateDir, 'mirror', 'calcom.json'))).mode & 0o777).toBe(0o600);

    const seen = calcom.requests.length;
    const show = await drc(['sync', 'show', 'calcom', 'event-types']);
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toMatch(/^ID\s+SLUG\s+TITLE\s+MINUTES\s+SCHEDULE\s+HIDDEN$/m);
    expect(show.stdout).toMatch(/beratung-30\s+Beratung 30 min\s+30\s+Geschäftszeiten/);

    const json = await drc(['--json', 'sync', 'show', 'calcom', 'schedules']);
    const result = json.events.find((event) => event.type === 'result') as { data: { records: Array<{ name: string }> } };
    expect(result.data.records.map((record) => record.name)).toEqual(['Geschäftszeiten', 'Samstag']);
    expect(calcom.requests.length).toBe(seen);
    expect(await everything(pull)).not.toContain(CALCOM_KEY);
  });

  it('rebuilds wiped Retell agents from the mirror with --apply, and a second push has nothing to do', async () => {
    expect((await drc(['sync', 'pull', 'retell'])).exitCode).toBe(0);
    retell.wipe();
    retell.cloneVoice('AskPro Stimme (Klon)');

    const dryRun = await drc(['sync', 'push', 'retell', '--from', 'mirror']);
    expect(dryRun.exitCode).toBe(0);
    expect(dryRun.stderr).toContain('+ create agent Empfang');
    expect(dryRun.stderr).toContain('retell: 8 changes planned; run again with --apply to make them');
    expect(retell.state.agents.versions.size).toBe(0);

    const applied = await drc(['sync', 'push', 'retell', '--from', 'mirror', '--apply']);
    expect(applied.exitCode).toBe(0);
    expect(applied.stderr).toContain('retell: 8 changes made');
    const empfang = retell.agentNamed('Empfang')!;
    expect(retell.state.phoneNumbers.get('+4930120045678')!.inbound_agents).toEqual([{ agent_id: empfang.agent_id, weight: 1, agent_version: 0 }]);

    const writes = retell.requests.length;
    const again = await drc(['sync', 'push', 'retell', '--from', 'mirror', '--apply']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('retell: nothing to do; 8 resources already match');
    // Retell lists agents and calls with POST (/v2/list-agents, /v3/list-calls); those only read.
    const reads = (request: { method: string; path: string }) => request.method === 'GET' || /^\/v\d\/list-/.test(request.path);
    expect(retell.requests.slice(writes).filter((request) => !reads(request))).toEqual([]);

    const numbers = await drc(['sync', 'show', 'retell', 'phone-numbers']);
    expect(numbers.stdout).toMatch(/\+4930120045678\s+Hauptnummer\s+retell-twilio\s+no \(Retell\)\s+Empfang\s+Rückruf\s+\+4930120045000/);
    expect(numbers.stdout).toMatch(/\+4930120045999\s+Nebenstelle \(SIP\)\s+custom\s+yes \(SIP\)\s+Empfang/);
    expect(await everything(applied)).not.toContain(RETELL_KEY);
  });

  it('fails with exit 2 and names the source and env var when the key is rejected', async () => {
    const [run, unset] = await Promise.all([
      drc(['sync', 'pull', 'calcom'], { SYNC_CALCOM_KEY: 'cal_live_revoked_key_99999999' }),
      drc(['sync', 'pull', 'retell'], { SYNC_RETELL_KEY: undefined }),
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: source calcom: API key rejected (401); check env var SYNC_CALCOM_KEY');
    expect(run.stderr).not.toContain('cal_live_revoked_key_99999999');

    expect(unset.exitCode).toBe(2);
    expect(unset.stderr).toContain('source retell API key: env var SYNC_RETELL_KEY is not set');
  });

  it('backs Cal.com up into an encrypted set, and rebuilds the wiped account from that set', async () => {
    const backup = await drc(['--json', 'backup', '--source', 'calcom']);
    expect(backup.exitCode).toBe(0);
    const sets = await readdir(path.join(temp.dir, 'backups'));
    const manifest = JSON.parse(await readFile(path.join(temp.dir, 'backups', sets.find((name) => !name.startsWith('.'))!, 'manifest.json'), 'utf8'));
    expect(manifest.items[0]).toMatchObject({ source: 'calcom', type: 'calcom', serverVersion: 'cal.com api v2', counts: { eventTypes: 3, bookings: 120 } });
    expect(manifest.items[0].file).toMatch(/^calcom\.json\.(zst|gz)\.gpg$/);

    const before = calcom.state.eventTypes.map(({ id: _id, scheduleId: _s, ...rest }) => rest);
    calcom.wipe();
    const push = await drc(['sync', 'push', 'calcom', '--from', 'latest', '--apply']);
    expect(push.exitCode).toBe(0);
    expect(push.stderr).toContain('calcom: 11 changes made');
    expect(calcom.state.eventTypes.map(({ id: _id, scheduleId: _s, ...rest }) => rest)).toEqual(before);
    expect(calcom.state.user.defaultScheduleId).toBe(calcom.state.schedules.find((schedule) => schedule.name === 'Geschäftszeiten')!.id);

    const again = await drc(['sync', 'push', 'calcom', '--from', 'latest', '--apply']);
    expect(again.stderr).toContain('calcom: nothing to do; 12 resources already match');
    expect(backup.stdout + push.stderr).not.toContain(CALCOM_KEY);
  });

  it('refuses unknown sources and resources with exit 2', async () => {
    const [unknown, resource] = await Promise.all([
      drc(['sync', 'show', 'calendar', 'event-types']),
      drc(['sync', 'show', 'calcom', 'agents']),
    ]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('no source named "calendar" in the config');

    expect(resource.exitCode).toBe(2);
    expect(resource.stderr).toContain('calcom: unknown resource "agents"');
  });
});

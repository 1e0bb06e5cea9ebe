import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCalcomFake, type CalcomFake } from '../fakes/calcom-server.js';
import { UNTHROTTLED } from '../fakes/calcom-throttle.js';
import { startRetellFake, type RetellFake, type Row } from '../fakes/retell-server.js';
import {
  CALCOM_KEY,
  createPlaybookWorld,
  expectEveryStepFinished,
  FAST_WAIT,
  incidentOf,
  RETELL_KEY,
  waitForRequests,
  writePostmortem,
  type PlaybookWorld,
  type Scenario,
} from '../helpers/playbook-world.js';

/**
 * The Cal.com and Retell outage playbooks, end to end with `drc run --yes` against the fakes
 * going down and coming back: the phone agent switched to callbacks and back, numbers routed
 * to the backup agent and back, the push plan reviewed before it is applied.
 */
const RETELL_SOURCE = { name: 'retell', type: 'retell', apiKeyEnv: 'E2E_RETELL_KEY' };

let world: PlaybookWorld;
beforeAll(async () => {
  world = await createPlaybookWorld('drc-outage-e2e-');
});
afterAll(async () => {
  await world?.cleanup();
});

/** The booking tool of the agent version a number's inbound share resolves to. */
function bookingToolOn(retell: RetellFake, number: string): Row {
  const share = (retell.state.phoneNumbers.get(number)!.inbound_agents as Row[])[0]!;
  const versions = retell.state.agents.versions.get(String(share.agent_id))!;
  const version = typeof share.agent_version === 'number' ? versions.find((row) => row.version === share.agent_version)! : versions.filter((row) => row.is_published).at(-1)!;
  const engine = version.response_engine as Row;
  const llm = retell.state.llms.get(String(engine.llm_id), engine.version)!;
  return (llm.general_tools as Row[]).find((tool) => tool.name === 'termin_buchen')!;
}

describe.concurrent('outage playbooks against the Cal.com and Retell fakes', () => {
  describe.sequential('calcom-outage', () => {
    let calcom: CalcomFake;
    let retell: RetellFake;
    let scenario: Scenario;
    beforeAll(async () => {
      [calcom, retell] = await Promise.all([startCalcomFake({ apiKey: CALCOM_KEY, bookings: 20, throttle: UNTHROTTLED }), startRetellFake({ apiKey: RETELL_KEY, calls: 3 })]);
      scenario = await world.makeScenario('calcom', [
        { name: 'calcom', type: 'calcom', apiKeyEnv: 'E2E_CALCOM_KEY', baseUrl: calcom.url },
        { ...RETELL_SOURCE, baseUrl: retell.url },
      ]);
    });
    afterAll(async () => {
      await Promise.all([calcom?.close(), retell?.close()]);
    });

    it('stops at the first step when Cal.com answers: the problem is ours', async () => {
      const run = await scenario.run('calcom-outage', FAST_WAIT);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain('step 1/11 "Confirm it is Cal.com, not us" failed: check failed: Cal.com API (calcom) is down');
      expect(run.stderr).toContain('the problem is on our side');
      expect(scenario.artisanCalls()).toEqual([]);
    });

    it('switches the phone agent to callbacks during the outage and back after it, and re-syncs the mirror', async () => {
      const pulled = await scenario.drc(['sync', 'pull', 'calcom']);
      expect(pulled.exitCode, pulled.stderr).toBe(0);
      const original = bookingToolOn(retell, '+4930120045678');
      expect(original.url).toBe('https://api.askproai.de/api/retell/book');

      calcom.goDown();
      const start = new Date(Date.now() + 86_400_000);
      calcom.state.bookings.push({ id: 999_001, uid: 'bk_during_outage', title: 'Beratung 30 min', status: 'accepted', start: start.toISOString(),
        end: new Date(start.getTime() + 1_800_000).toISOString(), attendees: [{ name: 'Kundin Outage', email: 'outage@example.de', phoneNumber: '+4915199999999' }] });
      const seen = calcom.requests.filter((request) => request.path === '/v2/me').length;
      const running = scenario.run('calcom-outage', FAST_WAIT);
      // The confirmation probe (2 tries), then two polls of the wait step (2 tries each).
      await waitForRequests(calcom, '/v2/me', seen + 6);
      // Meanwhile the number answers with the callback version of the agent.
      expect(bookingToolOn(retell, '+4930120045678')).toMatchObject({ url: 'https://api.askproai.de/api/retell/callback' });
      calcom.comeBack();
      const run = await running;

      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/Empfang: tool termin_buchen now takes callbacks \(https:\/\/api\.askproai\.de\/api\/retell\/callback\); published version 3, pinned on \+4930120045678/);
      expect(run.stderr).toMatch(/Empfang: tool termin_buchen books through Cal\.com again; published version 4 \(a copy of version 1/);
      expect(bookingToolOn(retell, '+4930120045678')).toEqual(original);
      expect(retell.state.agents.versions.get(String(retell.agentNamed('Empfang')!.agent_id))!.map((row) => [row.version, row.is_published])).toEqual([
        [0, true], [1, true], [2, false], [3, true], [4, true],
      ]);
      expect(scenario.artisanCalls()).toEqual(['calcom:fallback on', 'calcom:fallback off', 'calcom:replay-queued']);
      const mirror = JSON.parse(await readFile(path.join(scenario.stateDir, 'mirror', 'calcom.json'), 'utf8')) as { bookings: Array<{ uid: string }> };
      expect(mirror.bookings.map((booking) => booking.uid)).toContain('bk_during_outage');

      // The call-back list of the outage day, from the mirror.
      const day = start.toISOString().slice(0, 10);
      const list = await scenario.drc(['sync', 'show', 'calcom', 'bookings', '--from', day, '--to', new Date(Date.parse(day) + 86_400_000).toISOString(), '--csv']);
      expect(list.exitCode, list.stderr).toBe(0);
      expect(list.stdout).toContain('bk_during_outage');
      expect(list.stdout).toContain('Kundin Outage,+4915199999999');

      const incident = incidentOf(run);
      expectEveryStepFinished(scenario.journal(incident));
      const postmortem = await writePostmortem(scenario, incident);
      expect(postmortem).toContain('# Post-mortem: Cal.com outage');
      expect(postmortem).toContain('"Switch the phone agent back to booking" passed');
    }, 300_000);
  });

  describe('retell-outage', () => {
    let retell: RetellFake;
    let scenario: Scenario;
    beforeAll(async () => {
      retell = await startRetellFake({ apiKey: RETELL_KEY, calls: 20 });
      scenario = await world.makeScenario('retell', [{ ...RETELL_SOURCE, baseUrl: retell.url }]);
    });
    afterAll(async () => {
      await retell?.close();
    });

    it('says which numbers can be forwarded, routes them to the backup agent, pushes the reviewed plan and routes back', async () => {
      const backup = await scenario.drc(['backup']);
      expect(backup.exitCode, backup.stderr).toBe(0);
      expect((await scenario.drc(['sync', 'pull', 'retell'])).exitCode).toBe(0);
      const original = bookingToolOn(retell, '+4930120045678');

      // Before the outage someone published a broken Empfang and pinned the main number to it.
      const empfang = String(retell.agentNamed('Empfang')!.agent_id);
      const bad = retell.state.agents.branch(empfang, 1)!;
      const engine = bad.response_engine as Row;
      const badLlm = retell.state.llms.branch(String(engine.llm_id), Number(engine.version), { general_tools: [{ type: 'end_call', name: 'end_call' }, { ...original, url: 'https://broken.example/book' }] })!;
      Object.assign(bad, { is_published: true, response_engine: { ...engine, version: badLlm.version } });
      retell.state.phoneNumbers.get('+4930120045678')!.inbound_agents = [{ agent_id: empfang, weight: 1, agent_version: bad.version }];

      retell.goDown();
      const seen = retell.requests.filter((request) => request.path === '/v2/list-agents').length;
      const running = scenario.run('retell-outage', FAST_WAIT);
      await waitForRequests(retell, '/v2/list-agents', seen + 6);
      retell.comeBack();
      const run = await running;

      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toContain('+4930120045678 (Hauptnummer): bought through Retell (retell-twilio) — CANNOT be forwarded at a carrier while Retell is down');
      expect(run.stderr).toContain('+4930120045999 (Nebenstelle (SIP)): imported SIP number — CAN be forwarded at your carrier or SIP trunk (askpro.pstn.example.net)');
      expect(run.stderr).toMatch(/\+4930120045678: routed to agent Notfall \(version 0\)/);
      expect(run.stderr).toContain('~ update agent Empfang (publish a new version with the content of version 1)');
      expect(run.stderr).toMatch(/\+4930120045678: routed back to Empfang/);
      // The main number answers with what production ran before the broken change, pinned to the version the push published.
      expect(bookingToolOn(retell, '+4930120045678')).toEqual(original);
      expect(retell.state.phoneNumbers.get('+4930120045678')!.inbound_agents).toEqual([{ agent_id: empfang, weight: 1, agent_version: Number(bad.version) + 1 }]);
      expect(retell.state.phoneNumbers.get('+4930120045999')!.inbound_agents).toEqual([{ agent_id: empfang, weight: 1, agent_version: 'latest_published' }]);
      const routes = JSON.parse(await readFile(path.join(scenario.stateDir, 'routes', 'retell.json'), 'utf8')) as { numbers: object };
      expect(routes.numbers).toEqual({});
      expect(scenario.artisanCalls()).toEqual(['retell:use-snapshot on', 'retell:use-snapshot off']);

      const incident = incidentOf(run);
      expectEveryStepFinished(scenario.journal(incident));
      const postmortem = await writePostmortem(scenario, incident);
      expect(postmortem).toMatch(/Achieved RTO [\d.]+m?s against 2h 0m \(met\)/);
      expect(postmortem).toContain('"Route calls back to the main agent" passed');
    }, 300_000);
  });
});

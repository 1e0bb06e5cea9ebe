import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetellSourceConfig } from '../../src/config/schema.js';
import { ignoreEvents } from '../../src/events.js';
import { pendingActions } from '../../src/services/plan.js';
import { createRetellClient } from '../../src/services/retell/client.js';
import { fetchRetellSnapshot } from '../../src/services/retell/snapshot.js';
import type { RetellSnapshot } from '../../src/services/retell/types.js';
import { openSyncService } from '../../src/services/service.js';
import { formatTable, listResource } from '../../src/services/show.js';
import { startRetellFake, type RetellFake } from '../fakes/retell-server.js';

const KEY_ENV = `DRC_TEST_RETELL_API_KEY_${process.pid}`;
const API_KEY = 'key_retell_0a1b2c3d4e5f60718293a4b5';
const CURRENT = ['/v2/list-agents', '/v2/list-retell-llms', '/v2/list-conversation-flows', '/v2/list-phone-numbers', '/v3/list-calls', '/list-knowledge-bases', '/list-voices'];

/** Retell's current list endpoints, one item per page, so every cursor is followed. */
describe('Retell client against the current API, one item per page', () => {
  let fake: RetellFake;
  let config: RetellSourceConfig;
  const fast = { baseDelayMs: 1, maxDelayMs: 20 };
  const agentId = (name: string) => fake.agentNamed(name)!.agent_id as string;

  beforeAll(async () => {
    process.env[KEY_ENV] = API_KEY;
    fake = await startRetellFake({ apiKey: API_KEY, calls: 5, pageSize: 1 });
    config = { name: 'retell', type: 'retell', apiKeyEnv: KEY_ENV, baseUrl: fake.url };
    const second = { ...fake.state.phoneNumbers.get('+4930120045678')!, phone_number: '+4930120045679', nickname: 'Nebennummer', last_modification_timestamp: Date.UTC(2026, 0, 4) };
    fake.state.phoneNumbers.set('+4930120045679', second);
  });
  afterAll(async () => {
    await fake.close();
    delete process.env[KEY_ENV];
  });

  it('follows has_more/pagination_key through every list and reads each call for its transcript', async () => {
    const seen = fake.requests.length;
    const snapshot = (await openSyncService(config, fast).snapshot()) as RetellSnapshot;
    expect(snapshot.agents.map((agent) => agent.agent_name).sort()).toEqual(['Chat-Empfang', 'Empfang', 'Notfall', 'Rückruf']);
    // Newest of each of the 3 LLMs, plus Empfang's versions 0 and 1 (its agent versions run them).
    expect(snapshot.llms).toHaveLength(5);
    expect(snapshot.phoneNumbers.map((number) => number.phone_number).sort()).toEqual(['+4930120045678', '+4930120045679', '+4930120045999']);
    expect(snapshot.calls.map((call) => call.call_id)).toEqual(['call_000004', 'call_000003', 'call_000002', 'call_000001', 'call_000000']);
    expect(snapshot.calls[4]!.transcript).toBe('Agent: Guten Tag, AskProAI.\nUser: Ich möchte eine Beratung buchen (0).');

    const paths = fake.requests.slice(seen).map((request) => `${request.method} ${request.path}`);
    const count = (path: string) => paths.filter((entry) => entry === path).length;
    // One agent per page: 3 voice agents, 1 chat agent.
    expect(count('POST /v2/list-agents')).toBe(4);
    expect(count('GET /v2/list-retell-llms')).toBe(3);
    expect(count('GET /v2/list-phone-numbers')).toBe(3);
    expect(count('POST /v3/list-calls')).toBe(5);
    expect(paths.filter((entry) => entry.startsWith('GET /v2/get-call/'))).toHaveLength(5);
    const listings = paths.filter((entry) => /list-/.test(entry)).map((entry) => entry.split(' ')[1]!);
    expect(new Set(listings)).toEqual(new Set(CURRENT));
  });

  it('keeps working through 429s that carry Retry-After', async () => {
    fake.failNext(3, { status: 429, retryAfter: '0' });
    const snapshot = (await openSyncService(config, fast).snapshot()) as RetellSnapshot;
    expect(snapshot.calls).toHaveLength(5);
  });

  it('asks v3 list-calls with a typed start_timestamp filter when only recent days are kept', async () => {
    const client = createRetellClient(config, fast);
    // Seeded calls start 2026-01-05 08:00 and follow every 10 minutes: two are within 15 min of 08:40.
    const snapshot = await fetchRetellSnapshot(client, { callsDays: 15 / 1440, now: new Date(Date.UTC(2026, 0, 5, 8, 40)) });
    expect(snapshot.calls.map((call) => call.call_id)).toEqual(['call_000004', 'call_000003']);
  });

  it('rebuilds a number that splits its calls between two agents, and shows the split', async () => {
    const number = fake.state.phoneNumbers.get('+4930120045678')!;
    number.inbound_agents = [
      { agent_id: agentId('Empfang'), weight: 0.75 },
      { agent_id: agentId('Rückruf'), weight: 0.25, agent_version: 'latest_published' },
    ];
    const service = openSyncService(config, fast);
    const snapshot = (await service.snapshot()) as RetellSnapshot;
    expect(formatTable(listResource(snapshot, 'phone-numbers'))).toMatch(/\+4930120045678\s+Hauptnummer\s+retell-twilio\s+no \(Retell\)\s+Empfang 75%, Rückruf 25%\s+Rückruf/);

    fake.wipe();
    fake.cloneVoice('AskPro Stimme (Klon)');
    await (await service.plan(snapshot)).apply(ignoreEvents);
    expect(fake.state.phoneNumbers.get('+4930120045678')!.inbound_agents).toEqual([
      { agent_id: agentId('Empfang'), weight: 0.75 },
      { agent_id: agentId('Rückruf'), weight: 0.25, agent_version: 'latest_published' },
    ]);
    expect(pendingActions((await service.plan(snapshot)).plan)).toEqual([]);
  });

  it('pushes a snapshot taken before the single-agent fields were retired as weighted bindings', async () => {
    const service = openSyncService(config, fast);
    const snapshot = (await service.snapshot()) as RetellSnapshot;
    const legacy = snapshot.phoneNumbers
      .filter((number) => number.outbound_agents)
      .map(({ inbound_agents, outbound_agents, inbound_sms_agents: _sms, ...number }) => ({
        ...number,
        inbound_agent_id: inbound_agents![0]!.agent_id,
        outbound_agent_id: outbound_agents![0]!.agent_id,
      }));
    fake.wipe();
    fake.cloneVoice('AskPro Stimme (Klon)');
    const { plan, apply } = await service.plan({ ...snapshot, phoneNumbers: legacy });
    expect(plan.actions.filter((action) => action.resource === 'phone-number').map((action) => action.changes)).toEqual([
      ['fallback_number', 'allowed_inbound_country_list', 'inbound agents', 'outbound agents'],
      ['fallback_number', 'allowed_inbound_country_list', 'inbound agents', 'outbound agents'],
    ]);
    await apply(ignoreEvents);
    for (const number of [...fake.state.phoneNumbers.values()].filter((entry) => legacy.some((old) => old.phone_number === entry.phone_number))) {
      expect(number.inbound_agents).toEqual([{ agent_id: agentId('Empfang'), weight: 1 }]);
      expect(number.outbound_agents).toEqual([{ agent_id: agentId('Rückruf'), weight: 1 }]);
      expect(number).not.toHaveProperty('inbound_agent_id');
    }
  });

  it('probes with one voice agent from POST /v2/list-agents', async () => {
    await expect(openSyncService(config, fast).probe()).resolves.toBe(`Retell API answers at ${fake.url} (agents present)`);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v2/list-agents' });
  });
});

describe('the Retell fake', () => {
  it('answers the retired list endpoints with 404 and enforces the documented limits', async () => {
    const fake = await startRetellFake({ apiKey: API_KEY, calls: 3 });
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${fake.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    try {
      for (const [method, path] of [['GET', '/list-agents'], ['GET', '/list-retell-llms'], ['GET', '/list-phone-numbers'], ['POST', '/v2/list-calls']] as const) {
        expect((await call(method, path, method === 'POST' ? {} : undefined)).status, path).toBe(404);
      }
      expect((await call('POST', '/v2/list-agents?limit=1001', {})).status).toBe(400);
      expect((await call('POST', '/v3/list-calls', { skip: 1, pagination_key: 'x' })).status).toBe(400);
      expect((await call('POST', '/v3/list-calls', { filter_criteria: { start_timestamp: { lower_threshold: 0 } } })).status).toBe(400);
      expect((await call('PATCH', '/update-phone-number/+4930120045678', { inbound_agent_id: null })).status).toBe(400);
      const unauthorized = await fetch(`${fake.url}/v2/list-phone-numbers`);
      expect(unauthorized.status).toBe(401);
    } finally {
      await fake.close();
    }
  });
});

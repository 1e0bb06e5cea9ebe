import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetellSourceConfig } from '../../src/config/schema.js';
import { ignoreEvents } from '../../src/events.js';
import { pendingActions } from '../../src/services/plan.js';
import type { RetellAction } from '../../src/services/retell/plan.js';
import type { RetellSnapshot } from '../../src/services/retell/types.js';
import { openSyncService } from '../../src/services/service.js';
import { createRetellSource } from '../../src/sources/retell.js';
import type { RetellFake, RetellFakeState, Row } from '../fakes/retell-server.js';
import { startRetellFake } from '../fakes/retell-server.js';

const KEY_ENV = `DRC_TEST_RETELL_KEY_${process.pid}`;
const API_KEY = 'key_retell_fedcba9876543210fedcba98';

/**
 * What a caller hears on each number, account-independent: the agent version the number
 * resolves to (pinned number, tag, or newest), with its settings, its voice by name and the
 * prompt/flow it runs. Ids and version numbers differ between accounts; this must not.
 */
function whatCallersGet(state: RetellFakeState) {
  const strip = (row: Row, keys: string[]) => Object.fromEntries(Object.entries(row).filter(([key, value]) => !keys.includes(key) && value !== null && value !== undefined));
  const kbName = (id: unknown) => state.knowledgeBases.get(String(id))?.knowledge_base_name;
  const resolve = (share: { agent_id: string; agent_version?: unknown }) => {
    const versions = state.agents.versions.get(share.agent_id)!;
    const version =
      typeof share.agent_version === 'number' ? versions.find((row) => row.version === share.agent_version)
        : share.agent_version === 'latest_published' ? versions.filter((row) => row.is_published).at(-1)
          : versions.at(-1);
    const engine = version!.response_engine as Row;
    const store = engine.type === 'retell-llm' ? state.llms : state.flows;
    const content = store.get(String(engine.llm_id ?? engine.conversation_flow_id), engine.version)!;
    return {
      published: version!.is_published,
      agent: strip(version!, ['agent_id', 'version', 'is_published', 'base_version', 'last_modification_timestamp', 'response_engine', 'voice_id']),
      voice: state.voices.get(String(version!.voice_id))?.voice_name ?? null,
      engine: { ...strip(content, ['llm_id', 'conversation_flow_id', 'version', 'is_published', 'last_modification_timestamp', 'base_version', 'knowledge_base_ids']),
        knowledgeBases: ((content.knowledge_base_ids as string[] | undefined) ?? []).map(kbName) },
    };
  };
  return [...state.phoneNumbers.values()].map((number) => ({
    number: number.phone_number,
    settings: strip(number, ['inbound_agents', 'outbound_agents', 'inbound_sms_agents', 'outbound_sms_agents', 'last_modification_timestamp']),
    inbound: ((number.inbound_agents as Row[] | null) ?? []).map((share) => resolve(share as never)),
    outbound: ((number.outbound_agents as Row[] | null) ?? []).map((share) => resolve(share as never)),
    sms: ((number.inbound_sms_agents as Row[] | null) ?? []).map((share) => resolve(share as never)),
  }));
}

describe('Retell sync against the versioned fake', () => {
  let fake: RetellFake;
  let config: RetellSourceConfig;
  const fast = { baseDelayMs: 1, maxDelayMs: 20 };

  beforeAll(async () => {
    process.env[KEY_ENV] = API_KEY;
    fake = await startRetellFake({ apiKey: API_KEY, calls: 30 });
    config = { name: 'retell', type: 'retell', apiKeyEnv: KEY_ENV, baseUrl: fake.url };
  });
  afterAll(async () => {
    await fake.close();
    delete process.env[KEY_ENV];
  });

  it('snapshots every agent version, the LLM and flow versions they run, chat agents, voices, number settings and calls', async () => {
    const snapshot = (await openSyncService(config, fast).snapshot()) as RetellSnapshot;
    const empfang = snapshot.agents.find((agent) => agent.agent_name === 'Empfang')!;
    expect(snapshot.agentVersions[empfang.agent_id]!.map((version) => [version.version, version.is_published])).toEqual([[0, true], [1, true], [2, false]]);
    expect(snapshot.llms.filter((llm) => llm.llm_id === empfang.response_engine.llm_id).map((llm) => llm.version).sort()).toEqual([0, 1, 2]);
    expect(snapshot.conversationFlows).toHaveLength(1);
    expect(snapshot.agents.find((agent) => agent.channel === 'chat')).toMatchObject({ agent_name: 'Chat-Empfang' });
    expect(snapshot.voices.map((voice) => voice.voice_name).sort()).toEqual(['Anna', 'AskPro Stimme (Klon)', 'Max']);
    expect(snapshot.phoneNumbers.find((number) => number.phone_number === '+4930120045678')).toMatchObject({
      fallback_number: '+4930120045000', allowed_inbound_country_list: ['DE', 'AT', 'CH'], inbound_agents: [{ agent_id: empfang.agent_id, weight: 1, agent_version: 1 }],
    });
    expect(snapshot.calls).toHaveLength(30);
    expect(snapshot.calls[0]).toHaveProperty('transcript');
    // Signed recording URLs expire: left out unless the source asks for them (list-calls does send them).
    expect(snapshot.calls[0]).not.toHaveProperty('recording_url');
  });

  it('refuses to change a published version in place (the fake, like Retell)', async () => {
    const empfang = fake.agentNamed('Empfang')!;
    const response = await fetch(`${fake.url}/update-agent/${String(empfang.agent_id)}?version=1`, {
      method: 'PATCH', headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ interruption_sensitivity: 0.1 }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/version 1 of agent_\w+ is published and cannot be changed/);
  });

  it('rebuilds a wiped account as production ran it: published versions, pinned numbers, the draft on top; a second push has nothing to do', async () => {
    const before = whatCallersGet(fake.state);
    const service = openSyncService(config, fast);
    const snapshot = await service.snapshot();
    fake.wipe();

    // The cloned voice does not exist in the new account: a person clones it again, drc waits for it.
    const blocked = await service.plan(snapshot);
    expect(blocked.plan.actions.filter((action) => action.action === 'manual').map((action) => `${action.resource} ${action.key}: ${action.changes.join('; ')}`)).toEqual([
      'voice AskPro Stimme (Klon): voice "AskPro Stimme (Klon)" (elevenlabs) is not in this account: clone it again in Retell (Voices → Add voice), then push again; agent Empfang waits for it',
      'phone-number +4930120045678: waits for agent Empfang: push again once it exists',
      'phone-number +4930120045999: waits for agent Empfang: push again once it exists',
    ]);
    fake.cloneVoice('AskPro Stimme (Klon)');

    const first = await service.plan(snapshot);
    expect(pendingActions(first.plan).map((action) => `${action.action} ${action.resource} ${action.key}`)).toEqual([
      'create knowledge-base AskPro Preise',
      'create agent Chat-Empfang (chat)',
      'create agent Empfang',
      'create agent Notfall',
      'create agent Rückruf',
      'update agent-draft Empfang',
      'update phone-number +4930120045678',
      'update phone-number +4930120045999',
    ]);
    await first.apply(ignoreEvents);
    expect(whatCallersGet(fake.state)).toEqual(before);
    const empfang = fake.agentNamed('Empfang')!;
    expect(fake.state.agents.versions.get(String(empfang.agent_id))!.map((version) => [version.version, version.is_published])).toEqual([[0, true], [1, false]]);
    expect(fake.state.phoneNumbers.get('+4930120045678')!.inbound_agents).toEqual([{ agent_id: empfang.agent_id, weight: 1, agent_version: 0 }]);

    const second = await service.plan(snapshot);
    expect(pendingActions(second.plan)).toEqual([]);
    expect(second.plan.actions).toEqual([]);
  });

  it('publishes a new version when someone changed production, and never edits the published one', async () => {
    const service = openSyncService(config, fast);
    const snapshot = await service.snapshot();
    const before = whatCallersGet(fake.state);
    const empfang = fake.agentNamed('Empfang')!;
    const published = fake.state.agents.get(String(empfang.agent_id), 0)!;
    const llm = fake.state.llms.get(String((published.response_engine as Row).llm_id), (published.response_engine as Row).version)!;
    // Someone published a bad prompt as version 2 and pinned the number to it.
    const bad = fake.state.agents.branch(String(empfang.agent_id), 0)!;
    const badLlm = fake.state.llms.branch(String(llm.llm_id), Number(llm.version), { general_prompt: 'Kaputt.' })!;
    Object.assign(bad, { response_engine: { ...(bad.response_engine as Row), version: badLlm.version }, is_published: true });
    fake.state.phoneNumbers.get('+4930120045678')!.inbound_agents = [{ agent_id: empfang.agent_id, weight: 1, agent_version: bad.version }];

    const { plan, apply } = await service.plan(snapshot);
    expect(pendingActions(plan).map((action) => `${action.action} ${action.resource} ${action.key}`)).toEqual(['update agent Empfang', 'update agent-draft Empfang', 'update phone-number +4930120045678']);
    await apply(ignoreEvents);
    expect(whatCallersGet(fake.state)).toEqual(before);
    expect(fake.state.llms.get(String(llm.llm_id), badLlm.version)!.general_prompt).toBe('Kaputt.');
    expect(pendingActions((await service.plan(snapshot)).plan)).toEqual([]);
  });

  it('finds the LLM a failed push created instead of creating it again', async () => {
    const service = openSyncService(config, fast);
    const snapshot = await service.snapshot();
    fake.wipe();
    fake.cloneVoice('AskPro Stimme (Klon)');
    const { apply } = await service.plan(snapshot);
    // create-agent fails after its LLM was created: the push stops there.
    const seen = fake.requests.length;
    const failing = apply(ignoreEvents);
    const stop = setInterval(() => {
      if (fake.requests.slice(seen).some((request) => request.path === '/create-retell-llm')) {
        fake.failNext(1, { status: 500 });
        clearInterval(stop);
      }
    }, 1);
    await expect(failing).rejects.toThrow(/failed with 500/);
    clearInterval(stop);
    const llmsAfterFailure = fake.state.llms.versions.size;
    expect(llmsAfterFailure).toBeGreaterThan(0);

    const again = await service.plan(snapshot);
    expect(again.plan.actions.filter((action) => (action as RetellAction).reuseEngineId !== undefined)).not.toEqual([]);
    await again.apply(ignoreEvents);
    // Four agents, four engines (3 LLMs, 1 flow): none twice.
    expect(fake.state.llms.versions.size + fake.state.flows.versions.size).toBe(4);
    expect(pendingActions((await service.plan(snapshot)).plan)).toEqual([]);
  });

  it('is a backup source whose JSON item carries counts per resource', async () => {
    const dump = await createRetellSource(config).open(new AbortController().signal);
    const chunks: Buffer[] = [];
    for await (const chunk of dump.stream) chunks.push(chunk as Buffer);
    const document = Buffer.concat(chunks);
    const metadata = await dump.finish({ bytes: document.length, head: document.subarray(0, 64), tail: document.subarray(-64) });
    expect(metadata.counts).toMatchObject({ agents: 4, llms: expect.any(Number), conversationFlows: 1, knowledgeBases: 1, phoneNumbers: 2, calls: 0 });
    expect(metadata.serverVersion).toBe('retell api');
    expect(document.toString('utf8')).not.toContain(API_KEY);
  });
});

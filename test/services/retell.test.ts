import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetellSourceConfig } from '../../src/config/schema.js';
import { ignoreEvents } from '../../src/events.js';
import { pendingActions } from '../../src/services/plan.js';
import type { RetellSnapshot } from '../../src/services/retell/types.js';
import { openSyncService } from '../../src/services/service.js';
import { createRetellSource } from '../../src/sources/retell.js';
import type { RetellFake, RetellFakeState } from '../fakes/retell-server.js';
import { startRetellFake } from '../fakes/retell-server.js';

const KEY_ENV = `DRC_TEST_RETELL_KEY_${process.pid}`;
const API_KEY = 'key_retell_fedcba9876543210fedcba98';

/** What rings where and what the agents say, by name instead of id. */
function configurationOf(state: RetellFakeState) {
  const agents = [...state.agents.values()].map((versions) => versions.at(-1)!);
  const agentName = (id: unknown) => agents.find((agent) => agent.agent_id === id)?.agent_name ?? null;
  const kbName = (id: string) => state.knowledgeBases.get(id)?.knowledge_base_name;
  const bindingOf = (shares: unknown) => ((shares ?? []) as Array<{ agent_id: string; weight: number }>).map((share) => `${agentName(share.agent_id)} ${share.weight}`).sort();
  return {
    agents: agents
      .map(({ agent_id: _a, version: _v, is_published: _p, last_modification_timestamp: _t, response_engine, ...rest }) => {
        const llm = state.llms.get(String((response_engine as { llm_id: string }).llm_id))!;
        const { llm_id: _l, version: _lv, is_published: _lp, last_modification_timestamp: _lt, knowledge_base_ids, ...prompt } = llm;
        return { ...rest, llm: { ...prompt, knowledgeBases: (knowledge_base_ids as string[]).map(kbName) } };
      })
      .sort((a: Record<string, unknown>, b: Record<string, unknown>) => String(a.agent_name).localeCompare(String(b.agent_name))),
    knowledgeBases: [...state.knowledgeBases.values()].map((kb) => ({
      name: kb.knowledge_base_name,
      sources: (kb.knowledge_base_sources as Array<Record<string, string>>).map((source) =>
        source.type === 'text' ? `text ${source.title}: ${state.texts.get(String(source.source_id))}` : `${source.type} ${source.url}`,
      ),
    })),
    numbers: [...state.phoneNumbers.values()].map((number) => ({
      number: number.phone_number,
      nickname: number.nickname,
      inbound: bindingOf(number.inbound_agents),
      outbound: bindingOf(number.outbound_agents),
    })),
  };
}

describe('Retell sync against the fake API', () => {
  let fake: RetellFake;
  let config: RetellSourceConfig;
  const fast = { baseDelayMs: 1, maxDelayMs: 20 };

  beforeAll(async () => {
    process.env[KEY_ENV] = API_KEY;
    fake = await startRetellFake({ apiKey: API_KEY });
    config = { name: 'retell', type: 'retell', apiKeyEnv: KEY_ENV, baseUrl: fake.url };
  });
  afterAll(async () => {
    await fake.close();
    delete process.env[KEY_ENV];
  });

  it('snapshots agents with all versions, LLMs, knowledge-base texts, numbers and every page of calls', async () => {
    const snapshot = (await openSyncService(config, fast).snapshot()) as RetellSnapshot;
    const empfang = snapshot.agents.find((agent) => agent.agent_name === 'Empfang')!;
    expect(empfang.version).toBe(1);
    expect(snapshot.agentVersions[empfang.agent_id]!.map((agent) => agent.version)).toEqual([0, 1]);
    expect(snapshot.llms).toHaveLength(2);
    expect(snapshot.knowledgeBases[0]!.texts).toEqual([{ title: 'Preisliste', text: 'Beratung 30 min: 49 Euro. Erstgespräch 15 min: kostenlos.' }]);
    expect(snapshot.phoneNumbers[0]).toMatchObject({ phone_number: '+4930120045678', inbound_agents: [{ agent_id: empfang.agent_id, weight: 1 }] });
    // 1005 calls at 1000 per page: the second page must have been read.
    expect(snapshot.calls).toHaveLength(1005);
    expect(snapshot.calls[0]).toHaveProperty('transcript');
    // Signed recording URLs expire: left out unless the source asks for them.
    expect(snapshot.calls[0]).not.toHaveProperty('recording_url');
  });

  it('rebuilds wiped agents, LLMs and knowledge bases and rebinds the number; a second push has nothing to do', async () => {
    const before = configurationOf(fake.state);
    const service = openSyncService(config, fast);
    const snapshot = await service.snapshot();

    fake.wipe();
    const first = await service.plan(snapshot);
    expect(pendingActions(first.plan).map((action) => `${action.action} ${action.resource} ${action.key}`)).toEqual([
      'create knowledge-base AskPro Preise',
      'create llm Empfang',
      'create llm Rückruf',
      'create agent Empfang',
      'create agent Rückruf',
      'update phone-number +4930120045678',
    ]);
    await first.apply(ignoreEvents);
    expect(configurationOf(fake.state)).toEqual(before);

    const second = await service.plan(snapshot);
    expect(pendingActions(second.plan)).toEqual([]);
    expect(second.plan.unchanged).toEqual([
      'knowledge-base AskPro Preise',
      'llm Empfang',
      'llm Rückruf',
      'agent Empfang',
      'agent Rückruf',
      'phone-number +4930120045678',
    ]);
  });

  it('reports a number missing from the account as work for a person, not as a change it can make', async () => {
    const service = openSyncService(config, fast);
    const snapshot = await service.snapshot();
    fake.wipe({ phoneNumbers: true });
    const { plan, apply } = await service.plan(snapshot);
    expect(plan.actions.at(-1)).toMatchObject({ resource: 'phone-number', key: '+4930120045678', action: 'manual' });
    await apply(ignoreEvents);
    expect(pendingActions((await service.plan(snapshot)).plan)).toEqual([]);
  });

  it('is a backup source whose JSON item carries counts per resource', async () => {
    const dump = await createRetellSource(config).open(new AbortController().signal);
    const chunks: Buffer[] = [];
    for await (const chunk of dump.stream) chunks.push(chunk as Buffer);
    const document = Buffer.concat(chunks);
    const metadata = await dump.finish({ bytes: document.length, head: document.subarray(0, 64), tail: document.subarray(-64) });
    expect(metadata.counts).toEqual({ agents: 2, agentVersions: 2, llms: 2, knowledgeBases: 1, phoneNumbers: 0, calls: 0 });
    expect(metadata.serverVersion).toBe('retell api');
    expect(document.toString('utf8')).not.toContain(API_KEY);
  });
});

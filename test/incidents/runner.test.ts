import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunnerEvent } from '../../src/incidents/events.js';
import { readJournal } from '../../src/incidents/journal.js';
import { reduceIncident } from '../../src/incidents/reducer.js';
import { IncidentRunner } from '../../src/incidents/runner.js';
import { parsePlaybook } from '../../src/playbooks/parse.js';
import { makeTempDir } from '../helpers/tmp.js';

const PLAYBOOK = `---
id: ui-driven
title: UI driven
---
# UI driven

## Read first
Nothing to run.

## Echo
\`\`\`sh
echo hello
\`\`\`

## Confirm
- [ ] Support informed
- [ ] Status page updated

## Optional
\`\`\`sh
exit 3
\`\`\`
`;

describe('IncidentRunner driven step by step (as the TUI does)', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    tmp = await makeTempDir();
  });
  afterEach(async () => tmp.cleanup());

  it('waits for acknowledgements and ticks, records failure, skip and notes, and the journal replays to the same state', async () => {
    const playbook = parsePlaybook(PLAYBOOK, { file: path.join(tmp.dir, 'ui.md'), env: {} });
    const runner = IncidentRunner.start(playbook, { stateDir: tmp.dir });
    const seen: RunnerEvent[] = [];
    runner.subscribe((event) => seen.push(event));

    expect((await runner.runStep(0, 'ask')).status).toBe('waiting');
    runner.acknowledge(0);
    expect((await runner.runStep(undefined, 'ask')).status).toBe('done');
    expect(seen).toContainEqual({ type: 'step-output', step: 1, line: 'hello' });
    expect((await runner.runStep(undefined, 'ask')).status).toBe('waiting');
    runner.tick(2, 1, 'alice');
    expect(runner.state.steps[2]!.status).toBe('waiting');
    runner.tick(2, 0, 'alice');
    expect(runner.state.steps[2]!.status).toBe('done');

    const failed = await runner.runStep(undefined, 'ask');
    expect(failed).toMatchObject({ status: 'failed', error: 'sh block exited with code 3' });
    await expect(runner.runStep(1, 'ask')).rejects.toThrow(/already done; a finished step never runs twice/);
    runner.note('root cause: a DELETE without WHERE');
    runner.note('lost at: 2026-11-22T01:40:00Z');
    runner.skip(3, 'not needed on this host');

    expect(runner.state).toMatchObject({ status: 'resolved', lostAt: '2026-11-22T01:40:00.000Z', nextStep: undefined });
    expect(runner.state.notes.map((note) => note.kind)).toEqual(['root-cause', 'lost-at']);
    expect(seen.at(-1)).toEqual({ type: 'incident-finished', id: runner.id, status: 'resolved' });
    runner.close();

    // The live state is exactly what the reducer rebuilds from the journal.
    expect(reduceIncident(readJournal(runner.dir))).toEqual(runner.state);
  });
});

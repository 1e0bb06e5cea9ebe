import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/load.js';
import { listIncidents } from '../../src/incidents/incident-store.js';
import { readJournal } from '../../src/incidents/journal.js';
import { loadPlaybookFile } from '../../src/playbooks/load.js';
import { IncidentScreen } from '../../screens/incident-screen.js';
import { InterruptProvider } from '../../screens/hooks/use-interrupt.js';
import { KeyboardProvider } from '../../screens/hooks/use-keyboard.js';
import { makeTempDir } from '../helpers/tmp.js';
import { KEYS, waitForFrame, waitForText, writeTestConfig } from './ink-helpers.js';

const PLAYBOOK = `---
id: console-test
title: Console test
severity: critical
objectives: { rto: 2h, rpo: 1h }
---
# Console test
Symptoms: a test of the runner screen.

## Print some lines
\`\`\`sh
for i in $(seq 1 30); do echo "output line $i"; done
\`\`\`

## Fail until fixed
\`\`\`sh
test -f "\${flag}" || { echo "flag file missing" >&2; exit 3; }
echo fixed
\`\`\`

## Read the runbook
Nothing runs here.

## Confirm with the business side
- [ ] Support team informed
- [ ] Status page updated

## Optional cleanup
\`\`\`sh
echo never
\`\`\`
`;

describe('incident runner screen', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let loaded: LoadedConfig;
  let playbookFile: string;
  const flag = () => path.join(dir, 'flag');

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('drc-screen-incident-'));
    loaded = await writeTestConfig(dir, [{ name: 'files', type: 'files', paths: [dir] }]);
    playbookFile = path.join(dir, 'console-test.md');
    await writeFile(playbookFile, PLAYBOOK.replace('${flag}', flag()));
  });

  afterEach(async () => cleanup());

  function open(onLeave: () => void = () => {}) {
    const playbook = loadPlaybookFile(playbookFile, { config: loaded.config });
    return render(
      <KeyboardProvider>
        <InterruptProvider onUnclaimed={() => {}}>
          <IncidentScreen loaded={loaded} start={{ kind: 'new', playbook }} onLeave={onLeave} />
        </InterruptProvider>
      </KeyboardProvider>,
    );
  }

  it('runs a playbook to the end with the keys, journals it and writes the post-mortem', async () => {
    let left = false;
    const { lastFrame, stdin, unmount } = open(() => (left = true));
    let frame = await waitForText(lastFrame, 'Print some lines');
    expect(frame).toContain('INCIDENT');
    expect(frame).toContain('Console test · critical');
    expect(frame).toMatch(/elapsed .* of RTO 2h/);
    expect(frame).toContain('$ for i in $(seq 1 30); do echo "output line $i"; done');
    expect(frame).toContain('Enter run/confirm');
    expect(frame).toContain('Space tick');
    expect(frame).toContain('s skip');

    stdin.write(KEYS.enter);
    frame = await waitForText(lastFrame, 'output line 30');
    // The tail is bounded: the first lines scrolled away, the frame stays short.
    expect(frame).not.toContain('output line 1\n');
    expect(frame.split('\n').length).toBeLessThan(24);
    frame = await waitForFrame(lastFrame, (text) => /✓\s+1\. Print some lines/.test(text));

    stdin.write(KEYS.enter);
    frame = await waitForText(lastFrame, 'FAILED');
    expect(frame).toContain('✗  2. Fail until fixed');
    expect(frame).toContain('flag file missing');

    await writeFile(flag(), 'ok');
    stdin.write('r');
    await waitForFrame(lastFrame, (text) => /✓\s+2\. Fail until fixed/.test(text));

    stdin.write('n');
    await waitForText(lastFrame, 'Note for the journal');
    stdin.write('impact: bookings of the last hour missing');
    stdin.write(KEYS.enter);
    await waitForText(lastFrame, 'Enter run/confirm');

    stdin.write(KEYS.enter);
    await waitForText(lastFrame, 'needs you');
    stdin.write(KEYS.enter);
    frame = await waitForFrame(lastFrame, (text) => /✓\s+3\. Read the runbook/.test(text));

    stdin.write(KEYS.enter);
    frame = await waitForText(lastFrame, '[ ] Support team informed');
    expect(frame).toContain('[ ] Status page updated');
    stdin.write(KEYS.space);
    await waitForText(lastFrame, '[x] Support team informed');
    stdin.write(KEYS.space);
    await waitForFrame(lastFrame, (text) => /✓\s+4\. Confirm with the business side/.test(text));

    stdin.write('s');
    await waitForText(lastFrame, 'Skip step 5');
    stdin.write(KEYS.enter);
    await waitForText(lastFrame, 'an answer is needed here');
    stdin.write('not needed on this host');
    stdin.write(KEYS.enter);

    frame = await waitForText(lastFrame, 'RESOLVED');
    expect(frame).toMatch(/RTO achieved .* against 2h 0m: ✓ met/);
    expect(frame).toContain('What happened?');
    const answers = ['The nightly job dropped a table.', 'Support call at 08:10.', 'Nothing after the restore.', 'Test the cron job.'];
    for (const [index, answer] of answers.entries()) {
      // Each question is its own prompt: type once it is on the screen.
      await waitForText(lastFrame, `question ${index + 1} of ${answers.length}`);
      stdin.write(answer);
      stdin.write(KEYS.enter);
    }
    frame = await waitForText(lastFrame, 'Post-mortem written');
    stdin.write(KEYS.enter);
    await waitForFrame(lastFrame, () => left);
    unmount();

    const [incident] = listIncidents(loaded.stateDir);
    const events = readJournal(incident!.dir);
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['step-failed', 'step-skipped', 'checklist-ticked', 'note', 'incident-finished']));
    expect(events.find((event) => event.type === 'step-skipped')).toMatchObject({ step: 4, reason: 'not needed on this host' });
    const postmortem = await readFile(path.join(incident!.dir, 'postmortem.md'), 'utf8');
    expect(postmortem).toContain('The nightly job dropped a table.');
    expect(postmortem).toContain('Support call at 08:10.');
    expect(postmortem).toContain('bookings of the last hour missing');
    expect(postmortem).toContain('- [ ] Test the cron job.');
  });

  it('asks before stopping a running step on Ctrl+C and journals the interruption', async () => {
    await writeFile(playbookFile, PLAYBOOK.replace('${flag}', flag()).replace('for i in $(seq 1 30); do echo "output line $i"; done', 'echo started; sleep 60'));
    const { lastFrame, stdin, unmount } = open();
    await waitForText(lastFrame, 'Print some lines');
    stdin.write(KEYS.enter);
    await waitForFrame(lastFrame, (text) => /│ started/.test(text));
    stdin.write(KEYS.ctrlC);
    let frame = await waitForText(lastFrame, 'Stop step 1 now?');
    stdin.write('n');
    frame = await waitForFrame(lastFrame, (text) => !text.includes('Stop step 1 now?'));
    expect(frame).toContain('running');
    stdin.write(KEYS.ctrlC);
    await waitForText(lastFrame, 'Stop step 1 now?');
    stdin.write('y');
    frame = await waitForFrame(lastFrame, (text) => /■\s+1\. Print some lines\s+interrupted/.test(text));
    expect(frame).toContain('stopped by the operator (Ctrl+C)');
    unmount();
    const [incident] = listIncidents(loaded.stateDir);
    expect(incident!.state!.status).toBe('open');
    expect(readJournal(incident!.dir).find((event) => event.type === 'step-interrupted')).toMatchObject({ step: 0, reason: 'stopped by the operator (Ctrl+C)' });
  });

  it('asks before leaving an open incident and says how to resume it', async () => {
    let left = false;
    const { lastFrame, stdin, unmount } = open(() => (left = true));
    await waitForText(lastFrame, 'Print some lines');
    stdin.write('q');
    const frame = await waitForText(lastFrame, 'Leave this incident? It stays open.');
    expect(frame).toMatch(/drc resume \d{4}-\d\d-\d\dT\d{4}Z-console-test/);
    stdin.write(KEYS.escape);
    await waitForFrame(lastFrame, (text) => !text.includes('Leave this incident?'));
    expect(left).toBe(false);
    stdin.write('q');
    await waitForText(lastFrame, 'Leave this incident?');
    stdin.write('y');
    await waitForFrame(lastFrame, () => left);
    unmount();
    // The hint names this incident, and leaving kept it open for that resume.
    const [incident] = listIncidents(loaded.stateDir);
    expect(frame).toContain(`drc resume ${incident!.id}`);
    expect(incident!.state!.status).toBe('open');
  });
});

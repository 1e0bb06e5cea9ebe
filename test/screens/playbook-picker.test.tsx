import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/load.js';
import { PlaybookPicker, type PlaybookChoice } from '../../screens/playbook-picker.js';
import { loadPlaybookChoices } from '../../screens/hooks/playbook-choices.js';
import { makeTempDir } from '../helpers/tmp.js';
import { KEYS, pressOnMenu, selectByLabel, waitForFrame, waitForText, writeTestConfig } from './ink-helpers.js';
import { KeyboardProvider } from '../../screens/hooks/use-keyboard.js';

describe('playbook picker', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let loaded: LoadedConfig;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('drc-screen-picker-'));
    await mkdir(path.join(dir, 'playbooks'));
    await writeFile(
      path.join(dir, 'playbooks/aaa-disk-full.md'),
      '---\nid: aaa-disk-full\ntitle: Disk full on the database host\nseverity: high\nobjectives: { rto: 30m, rpo: 15m }\n---\n# Disk full\nSymptoms: writes fail with ENOSPC.\nThe database refuses connections.\nThird line.\nFourth line is not shown.\n\n## Free space\n```sh\ndf -h\n```\n',
    );
    await writeFile(path.join(dir, 'playbooks/aab-broken.md'), '---\nid: aab-broken\ntitle: Broken\n---\n# Broken\n\n## Restore\n```drc\naction: restor\n```\n');
    loaded = await writeTestConfig(dir, [{ name: 'files', type: 'files', paths: [dir] }], { playbooks: ['./playbooks'] });
  });
  afterEach(async () => cleanup());

  it('shows severity, objectives and the first lines of the highlighted playbook, and refuses a broken one', async () => {
    const choices = loadPlaybookChoices(loaded);
    const picked: PlaybookChoice[] = [];
    const { lastFrame, stdin, unmount } = render(
      <KeyboardProvider>
        <PlaybookPicker choices={choices} onPick={(choice) => picked.push(choice)} onBack={() => {}} />
      </KeyboardProvider>,
    );
    let frame = await waitForText(lastFrame, 'Start an incident: which playbook fits?');
    expect(frame).toContain('❯ Disk full on the database host');
    expect(frame).toContain('severity high · RTO 30m · RPO 15m · 1 steps · config');
    expect(frame).toContain('Symptoms: writes fail with ENOSPC.');
    expect(frame).toContain('Third line.');
    expect(frame).not.toContain('Fourth line');
    // Bundled playbooks are listed too; these name sources this config does not have.
    expect(frame).toContain('local-data-loss  (cannot be used: see below)');

    await selectByLabel(stdin, lastFrame, 'aab-broken');
    frame = await waitForText(lastFrame, 'aab-broken.md:9');
    expect(frame).toContain('unknown action "restor"');
    await pressOnMenu(stdin, KEYS.enter);

    // Keys are handled in order: had Enter on the broken playbook picked it, it would come first.
    await selectByLabel(stdin, lastFrame, 'Disk full');
    await pressOnMenu(stdin, KEYS.enter);
    await waitForFrame(lastFrame, () => picked.length > 0);
    expect(picked.map((choice) => choice.playbook?.id)).toEqual(['aaa-disk-full']);
    unmount();
  });
});

import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/run-backup.js';
import type { LoadedConfig } from '../../src/config/load.js';
import { ignoreEvents } from '../../src/events.js';
import { IncidentRunner } from '../../src/incidents/runner.js';
import { parsePlaybook } from '../../src/playbooks/parse.js';
import { Root } from '../../screens/root.js';
import { createPgDatabase, type TestPgDatabase } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';
import { KEYS, selectByLabel, waitForText, writeTestConfig } from './ink-helpers.js';

describe('home screen', () => {
  let db: TestPgDatabase;
  let dir: string;
  let cleanup: () => Promise<void>;
  let loaded: LoadedConfig;

  beforeEach(async () => {
    db = await createPgDatabase('drc_home');
    await db.query('CREATE TABLE customers (id int PRIMARY KEY, name text); INSERT INTO customers SELECT g, $$c$$ || g FROM generate_series(1, 50) g');
    ({ dir, cleanup } = await makeTempDir('drc-screen-home-'));
    loaded = await writeTestConfig(dir, [{ name: 'app-db', type: 'postgres', url: db.url }]);
  });
  afterEach(async () => {
    await db.drop();
    await cleanup();
  });

  it('shows each source with its newest set, and nothing open, before any backup is trusted', async () => {
    const { lastFrame, unmount } = render(<Root loaded={loaded} />);
    let frame = await waitForText(lastFrame, 'Backup health:');
    expect(frame).toContain('✗ CRITICAL');
    expect(frame).toMatch(/app-db\s+no backup/);

    const outcome = await runBackup({ config: loaded.config, stateDir: loaded.stateDir, emit: ignoreEvents });
    unmount();
    const second = render(<Root loaded={loaded} />);
    frame = await waitForText(second.lastFrame, 'Backup health:');
    expect(frame).toContain(`${outcome.setId!.slice(0, 20)}@local`);
    expect(frame).toMatch(/drill.*never|never/i);
    // The DRILL column of the source's own row, not just any "never" on the screen.
    expect(frame.split('\n').find((line) => line.includes('app-db'))).toMatch(new RegExp(`app-db\\s+${outcome.setId!.slice(0, 20)}@local\\s.*\\snever\\s*$`));
    expect(frame).toContain('Last verification: never');
    expect(frame).toContain('Open incidents: none');
    expect(frame).toContain('no restore drill has run yet');
    for (const way of ['Start an incident (pick a playbook)', 'Backups: browse, verify, restore', 'Run a backup now', 'Run a restore drill', 'Post-mortems', 'Quit']) {
      expect(frame).toContain(way);
    }
    await selectByLabel(second.stdin, second.lastFrame, 'Backups: browse');
    second.stdin.write(KEYS.enter);
    frame = await waitForText(second.lastFrame, 'Backups on every target');
    await waitForText(second.lastFrame, outcome.setId!);
    second.unmount();
  });

  it('offers to resume an open incident at start', async () => {
    const playbook = parsePlaybook('---\nid: open-one\ntitle: Left open\n---\n# Left open\n\n## First\n```sh\ntrue\n```\n\n## Second\nRead.\n', { file: `${dir}/open-one.md` });
    const runner = IncidentRunner.start(playbook, { stateDir: loaded.stateDir, config: loaded.config });
    await runner.runStep(0, 'ask');
    runner.close();

    const { lastFrame, stdin, unmount } = render(<Root loaded={loaded} />);
    let frame = await waitForText(lastFrame, 'is still open. Resume it now?');
    expect(frame).toContain(`Incident ${runner.id}`);
    expect(frame).toContain('Left open: 1 of 2 steps done, next: Second');
    stdin.write('n');
    frame = await waitForText(lastFrame, 'What now?');
    expect(frame).toContain(`Resume incident ${runner.id} (Left open, 1/2 steps done)`);
    expect(frame).toMatch(/Open incidents: .*Left open/);
    unmount();
  });
});

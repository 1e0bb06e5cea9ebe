import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/load.js';
import { readHistory } from '../../src/state/history.js';
import { Root } from '../../screens/root.js';
import { createPgDatabase, type TestPgDatabase } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';
import { KEYS, pressOnMenu, selectByLabel, waitForFrame, waitForText, writeTestConfig } from './ink-helpers.js';

describe('backup now and drill from the home screen', () => {
  let db: TestPgDatabase;
  let dir: string;
  let cleanup: () => Promise<void>;
  let loaded: LoadedConfig;

  beforeEach(async () => {
    db = await createPgDatabase('drc_task');
    await db.query('CREATE TABLE billing (id int PRIMARY KEY, cents int); INSERT INTO billing SELECT g, g * 100 FROM generate_series(1, 25) g');
    ({ dir, cleanup } = await makeTempDir('drc-screen-task-'));
    loaded = await writeTestConfig(dir, [{ name: 'app-db', type: 'postgres', url: db.url }]);
  });
  afterEach(async () => {
    await db.drop();
    await cleanup();
  });

  async function choose(app: ReturnType<typeof render>, label: string) {
    await waitForText(app.lastFrame, 'What now?');
    await selectByLabel(app.stdin, app.lastFrame, label);
    await pressOnMenu(app.stdin, KEYS.enter);
  }

  it('runs a backup, then a drill, showing how each went', async () => {
    const app = render(<Root loaded={loaded} />);
    await choose(app, 'Run a backup now');
    let frame = await waitForText(app.lastFrame, '✓ done', 60_000);
    expect(frame).toContain('Backup now');
    expect(frame).toMatch(/backup OK: set \S+ on local/);
    expect(frame).toContain('Enter back');
    app.stdin.write(KEYS.enter);
    frame = await waitForFrame(app.lastFrame, (text) => /app-db\s+\d{4}-\d\d-\d\dT/.test(text));

    await choose(app, 'Run a restore drill');
    frame = await waitForText(app.lastFrame, '✓ done', 60_000);
    expect(frame).toContain('Restore drill');
    const drills = await readHistory(loaded.stateDir, 'drill');
    expect(drills).toHaveLength(1);
    expect(drills[0]!.ok).toBe(true);
    app.unmount();
  });
});

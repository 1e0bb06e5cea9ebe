import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/run-backup.js';
import type { LoadedConfig } from '../../src/config/load.js';
import { ignoreEvents } from '../../src/events.js';
import { readHistory } from '../../src/state/history.js';
import { Root } from '../../screens/root.js';
import { pgAdminQuery, createPgDatabase, type TestPgDatabase, pgQueryOnce } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';
import { KEYS, drainEffects, pressOnMenu, selectByLabel, waitForFrame, waitForText, writeTestConfig } from './ink-helpers.js';

describe('backups browser', () => {
  let db: TestPgDatabase;
  let dir: string;
  let cleanup: () => Promise<void>;
  let loaded: LoadedConfig;
  let setId: string;

  beforeEach(async () => {
    db = await createPgDatabase('drc_browse');
    await pgQueryOnce(db.name, 'CREATE TABLE calls (id int PRIMARY KEY, transcript text); INSERT INTO calls SELECT g, $$hello $$ || g FROM generate_series(1, 40) g');
    ({ dir, cleanup } = await makeTempDir('drc-screen-backups-'));
    loaded = await writeTestConfig(dir, [{ name: 'app-db', type: 'postgres', url: db.url }]);
    setId = (await runBackup({ config: loaded.config, stateDir: loaded.stateDir, emit: ignoreEvents })).setId!;
  });
  afterEach(async () => {
    await db.drop();
    await cleanup();
  });

  async function openBackups() {
    const app = render(<Root loaded={loaded} />);
    await waitForText(app.lastFrame, 'What now?');
    await selectByLabel(app.stdin, app.lastFrame, 'Backups: browse');
    await pressOnMenu(app.stdin, KEYS.enter);
    await waitForText(app.lastFrame, setId);
    // The sets list is a menu: its handler attaches after the frame.
    await drainEffects();
    return app;
  }

  it('lists the sets on every target and verifies one', async () => {
    const { lastFrame, stdin, unmount } = await openBackups();
    let frame = lastFrame()!;
    expect(frame).toMatch(new RegExp(`${setId}\\s+✓.*on local`));
    expect(frame).toMatch(/app-db\s+postgres/);
    expect(frame).toContain('never verified: press v');
    stdin.write('v');
    frame = await waitForText(lastFrame, '✓ done', 60_000);
    expect(frame).toContain(`Verify ${setId}`);
    expect(frame).toContain(`verify --deep OK: set ${setId} (local OK)`);
    expect(await readHistory(loaded.stateDir, 'verify')).toMatchObject([{ setId, target: 'local', deep: true, ok: true }]);
    unmount();
  });

  it('restores a source only after showing the plan and hearing yes', async () => {
    const { lastFrame, stdin, unmount } = await openBackups();
    await pgQueryOnce(db.name, 'DELETE FROM calls WHERE id > 10');
    stdin.write('r');
    await waitForText(lastFrame, `Restore which source from ${setId}?`);
    await pressOnMenu(stdin, KEYS.enter);
    let frame = await waitForText(lastFrame, `Restore app-db from ${setId}?`, 60_000);
    expect(frame).toMatch(/new database "drc_browse_\w+_restore_/);
    expect(frame).toContain('y yes');
    stdin.write('y');
    frame = await waitForText(lastFrame, '✓ done', 60_000);
    const { rows } = await pgQueryOnce(db.name, 'SELECT count(*) FROM calls');
    expect(Number(rows[0]!.count)).toBe(40);
    const kept = await pgAdminQuery('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${db.name}_before_%`]);
    expect(kept.rowCount).toBe(1);
    stdin.write(KEYS.enter);
    await waitForFrame(lastFrame, (text) => text.includes('What now?'));
    unmount();
  });
});

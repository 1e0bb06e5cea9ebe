import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listIncidents } from '../../src/incidents/incident-store.js';
import { readJournal } from '../../src/incidents/journal.js';
import { drcCommand, runDrc } from '../helpers/drc.js';
import { createPgDatabase, type TestPgDatabase, pgQueryOnce } from '../helpers/postgres.js';
import { makeTempDir, uniqueSuffix } from '../helpers/tmp.js';

const PLAYBOOK = `---
id: e2e-data-loss
title: Customers table emptied
severity: critical
objectives: { rto: 1h, rpo: 1h }
---
# Customers table emptied
Symptoms: the customers table is empty.

## Take the app offline
\`\`\`sh
echo "maintenance mode on"
\`\`\`

## Restore the database
\`\`\`drc
action: restore
source: app-db
set: latest
\`\`\`

## Check the customers are back
\`\`\`drc
action: check
source: app-db
sql: SELECT COUNT(*) FROM customers
expect: 120
\`\`\`

## Tell people
- [ ] Support informed
`;

/** drc in a real terminal: tmux on its own server socket, 100×30. */
function createTmux(name: string) {
  const socket = `drc-e2e-${uniqueSuffix()}`;
  const tmux = (...args: string[]) => execa('tmux', ['-L', socket, ...args]);
  return {
    start: (command: string) => tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '30', command),
    keys: async (...keys: string[]) => {
      for (const key of keys) {
        await tmux('send-keys', '-t', name, key);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    type: async (text: string) => {
      await tmux('send-keys', '-t', name, '-l', text);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await tmux('send-keys', '-t', name, 'Enter');
      await new Promise((resolve) => setTimeout(resolve, 300));
    },
    screen: async () => (await tmux('capture-pane', '-p', '-t', name)).stdout,
    waitFor: async function (check: string | RegExp, timeoutMs = 60_000): Promise<string> {
      const started = Date.now();
      for (;;) {
        const screen = await this.screen();
        if (typeof check === 'string' ? screen.includes(check) : check.test(screen)) return screen;
        if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${String(check)}; screen:\n${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    /** The pid of the program the pane runs (the shell's child). */
    programPid: async () => {
      const shell = (await tmux('list-panes', '-t', name, '-F', '#{pane_pid}')).stdout.trim();
      return Number((await execa('pgrep', ['-P', shell])).stdout.trim().split('\n')[0]);
    },
    stop: () => tmux('kill-server').catch(() => {}),
  };
}

describe('drc console in a real terminal', () => {
  let db: TestPgDatabase;
  let dir: string;
  let cleanup: () => Promise<void>;
  let configFile: string;
  let stateDir: string;
  let term: ReturnType<typeof createTmux>;

  beforeEach(async () => {
    db = await createPgDatabase('drc_e2e');
    await pgQueryOnce(db.name, "CREATE TABLE customers (id int PRIMARY KEY, name text); INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 120) g");
    ({ dir, cleanup } = await makeTempDir('drc-e2e-console-'));
    stateDir = path.join(dir, 'state');
    await mkdir(path.join(dir, 'playbooks'));
    await writeFile(path.join(dir, 'playbooks/e2e-data-loss.md'), PLAYBOOK);
    await writeFile(path.join(dir, 'passphrase'), 'e2e passphrase for the console test\n', { mode: 0o600 });
    configFile = path.join(dir, 'drc.json');
    await writeFile(
      configFile,
      JSON.stringify({
        sources: [{ name: 'app-db', type: 'postgres', url: db.url }],
        targets: [{ name: 'local', type: 'local', path: path.join(dir, 'backups') }],
        encryption: { passphraseFile: path.join(dir, 'passphrase') },
        objectives: { rto: '1h', rpo: '1h' },
        playbooks: ['./playbooks'],
        stateDir,
      }),
    );
    term = createTmux(`drc-${process.pid}`);
  });
  afterEach(async () => {
    await term.stop();
    await db.drop();
    await cleanup();
  });

  it('runs a playbook from the picker to the post-mortem with the keys, restoring the data', async () => {
    const backup = await runDrc(['backup', '--config', configFile]);
    expect(backup.exitCode).toBe(0);
    await pgQueryOnce(db.name, 'DELETE FROM customers');

    const { command, args } = drcCommand();
    const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
    await term.start(`env NO_COLOR=1 ${[command, ...args, '--config', configFile].map(shellQuote).join(' ')}; echo "drc exited $?"; sleep 30`);

    let screen = await term.waitFor('Backup health:');
    expect(screen).toContain('Backup health:');
    expect(screen).toMatch(/app-db\s+\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ@local/);
    await term.keys('Enter');
    screen = await term.waitFor('Start an incident: which playbook fits?');
    expect(screen).toContain('❯ Customers table emptied');
    expect(screen).toContain('severity critical · RTO 1h · RPO 1h · 4 steps · config');
    await term.keys('Enter');

    screen = await term.waitFor(/INCIDENT\s+\S+-e2e-data-loss/);
    expect(screen).toContain('Enter run/confirm');
    await term.keys('Enter');
    await term.waitFor(/✓\s+1\. Take the app offline/);
    screen = await term.screen();
    expect(screen).toContain('maintenance mode on');
    await term.keys('Enter');
    screen = await term.waitFor(/✓\s+2\. Restore the database/);
    expect(screen).toMatch(/RPO \S+ \(set \d{4}-/);
    await term.keys('Enter');
    await term.waitFor(/✓\s+3\. Check the customers are back/);
    await term.keys('Enter');
    await term.waitFor('[ ] Support informed');
    await term.keys('Space');

    screen = await term.waitFor('RESOLVED');
    expect(screen).toMatch(/RTO achieved .* against 1h 0m: ✓ met/);
    for (const answer of ['All customers were deleted.', 'Support noticed at 09:00.', 'Nothing after the restore.', 'Guard DELETE statements.']) {
      await term.waitFor('›');
      await term.type(answer);
    }
    screen = await term.waitFor('Post-mortem written');
    await term.keys('Enter');
    await term.waitFor('What now?');
    await term.keys('C-c');
    await term.waitFor('drc exited 0');

    const { rows } = await pgQueryOnce(db.name, 'SELECT count(*)::int AS n FROM customers');
    expect(rows[0]!.n).toBe(120);
    const [incident] = listIncidents(stateDir);
    expect(incident!.state!.status).toBe('resolved');
    const events = readJournal(incident!.dir);
    expect(events.filter((event) => event.type === 'step-finished')).toHaveLength(4);
    expect(events.find((event) => event.type === 'action-finished' && event.restored)).toBeTruthy();
    const postmortem = await readFile(path.join(incident!.dir, 'postmortem.md'), 'utf8');
    expect(postmortem).toContain('All customers were deleted.');
    expect(postmortem).toContain('Guard DELETE statements.');
  });

  it('leaves a journal that drc resume continues when the SSH session drops mid-step', async () => {
    await writeFile(path.join(dir, 'playbooks/e2e-data-loss.md'), PLAYBOOK.replace('echo "maintenance mode on"', 'echo "maintenance mode on"; sleep 120'));
    const { command, args } = drcCommand();
    const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
    await term.start(`env NO_COLOR=1 ${[command, ...args, '--config', configFile].map(shellQuote).join(' ')}; echo "drc exited $?"; sleep 30`);
    await term.waitFor('Backup health:');
    await term.keys('Enter');
    await term.waitFor('Start an incident: which playbook fits?');
    await term.keys('Enter');
    await term.waitFor(/INCIDENT\s+\S+-e2e-data-loss/);
    await term.keys('Enter');
    await term.waitFor('│ maintenance mode on');
    process.kill(await term.programPid(), 'SIGHUP');
    await term.waitFor('drc exited 1');

    const [incident] = listIncidents(stateDir);
    expect(incident!.state!.status).toBe('open');
    expect(incident!.state!.steps[0]!.status).toBe('interrupted');
    expect(readJournal(incident!.dir).at(-1)).toMatchObject({ type: 'step-interrupted', step: 0, reason: expect.stringContaining('SIGHUP') });
    const { stdout } = await execa('ps', ['-eo', 'args']);
    expect(stdout).not.toContain('sleep 120');

    // The step's command may change (not its title): put the quick one back and continue.
    await writeFile(path.join(dir, 'playbooks/e2e-data-loss.md'), PLAYBOOK);
    const resumed = await runDrc(['resume', incident!.id, '--config', configFile, '--yes'], { env: { PATH: process.env.PATH } });
    expect(resumed.stderr).toContain('(resumed)');
    expect(resumed.stderr).toContain('✓ step 1/4: Take the app offline');
  });
});

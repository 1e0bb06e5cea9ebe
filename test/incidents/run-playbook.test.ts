import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/util/duration.js';
import { runDrc } from '../helpers/drc.js';
import { createPgDatabase, type TestPgDatabase, pgQueryOnce } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';

const PASSPHRASE = 'incident-test-passphrase-7f3a';

/** A local-data-loss incident in miniature, against a real PostgreSQL database. */
const PLAYBOOK = `---
id: mini-data-loss
title: Mini data loss
severity: critical
objectives: { rto: 2h, rpo: 1h }
vars:
  db_source: app-db
  work: /tmp
recovered: Check the users are back
---
# Mini data loss
Symptoms: users table empty.

## Announce
Tell the team channel.

## Take the app offline
\`\`\`sh
echo "maintenance on" > \${work}/maintenance
echo "offline, passphrase is \${DRC_PASSPHRASE}"
\`\`\`

## Back up the good state
\`\`\`drc
action: backup
sources: \${db_source}
\`\`\`

## Verify the set
\`\`\`drc
action: verify
set: latest
\`\`\`

## Lose the data
\`\`\`sh
psql -h /var/run/postgresql -U postgres -d \${db_name} -v ON_ERROR_STOP=1 -c "DELETE FROM users"
\`\`\`

## Restore the database
\`\`\`drc
action: restore
source: \${db_source}
set: latest
\`\`\`

## Check the users are back
\`\`\`drc
action: check
source: \${db_source}
sql: SELECT COUNT(*) FROM users
expect: 3
\`\`\`

## Tell people
- [ ] Support informed
- [ ] Status page updated
`;

describe('drc run: a playbook end to end, headless, against PostgreSQL', () => {
  let db: TestPgDatabase;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let configFile: string;
  let playbookFile: string;
  const env = () => ({ DRC_PASSPHRASE: PASSPHRASE, DRC_CONFIG: configFile });

  beforeAll(async () => {
    db = await createPgDatabase('drc_incident');
    await pgQueryOnce(db.name, `CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);
      INSERT INTO users (name) VALUES ('ada'), ('grace'), ('linus')`);
    tmp = await makeTempDir();
    configFile = path.join(tmp.dir, 'drc.json');
    await writeFile(
      configFile,
      JSON.stringify({
        sources: [{ name: 'app-db', type: 'postgres', url: db.url }],
        targets: [{ name: 'local', type: 'local', path: path.join(tmp.dir, 'backups') }],
        encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
        stateDir: path.join(tmp.dir, 'state'),
      }),
    );
    playbookFile = path.join(tmp.dir, 'mini-data-loss.md');
    await writeFile(playbookFile, PLAYBOOK);
  });

  afterAll(async () => {
    await db?.drop();
    await tmp?.cleanup();
  });

  it('stops at the first manual step without --yes, keeping the incident open', async () => {
    const run = await runDrc(['run', playbookFile, '--var', `db_name=${db.name}`, '--var', `work=${tmp.dir}`], { env: env() });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/step 8\/8 "Tell people" failed: needs a person to confirm 2 item\(s\)/);
    expect(run.stderr).toMatch(/drc resume \S+ --yes/);
    const listed = await runDrc(['incidents', '--json'], { env: env() });
    const result = listed.events.find((event) => event.type === 'result') as { data: { incidents: Array<{ status: string; at?: string }> } };
    expect(result.data.incidents[0]).toMatchObject({ status: 'open', at: 'step 8 "Tell people" (failed)' });
  });

  it('runs every step with --yes, journals it, and writes a post-mortem with RTO, RPO and a gantt chart', async () => {
    // Any loss time after the set's time will do; well after it, so the RPO is never clamped to 0.
    const lostAt = new Date(Date.now() + 30_000).toISOString();
    const run = await runDrc(['run', playbookFile, '--yes', '--json', '--var', `db_name=${db.name}`, '--var', `work=${tmp.dir}`, '--var', `lost_at=${lostAt}`], {
      env: env(),
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode, JSON.stringify(run.events.filter((event) => event.level === 'error'))).toBe(0);
    const result = run.events.at(-1) as { type: string; data: { incident: string; dir: string; status: string } };
    expect(result).toMatchObject({ type: 'result', data: { status: 'resolved' } });

    // The data is back, the shell step ran with its vars.
    expect((await pgQueryOnce(db.name, 'SELECT COUNT(*)::int AS n FROM users')).rows[0]).toEqual({ n: 3 });
    expect(await readFile(path.join(tmp.dir, 'maintenance'), 'utf8')).toBe('maintenance on\n');

    // The journal: every step started and finished once, in order, each event timed; secrets masked.
    const dir = result.data.dir;
    const journalText = await readFile(path.join(dir, 'journal.jsonl'), 'utf8');
    expect(journalText).not.toContain(PASSPHRASE);
    const events = journalText.trim().split('\n').map((line) => JSON.parse(line) as { type: string; at: string; step?: number });
    expect(events.every((event) => !Number.isNaN(Date.parse(event.at)))).toBe(true);
    expect(events[0]!.type).toBe('incident-started');
    expect(events.at(-1)!.type).toBe('incident-finished');
    const finished = events.filter((event) => event.type === 'step-finished').map((event) => event.step);
    expect(finished).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(events.filter((event) => event.type === 'checklist-ticked')).toHaveLength(2);
    const restored = events.find((event) => event.type === 'action-finished' && event.step === 5) as unknown as { restored: { setId: string; setTime: string } };
    expect(restored.restored.setId).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z_/);

    // Full output in output/, masked too.
    const outputs = await readdir(path.join(dir, 'output'));
    expect(outputs).toContain('02-take-the-app-offline.log');
    const offline = await readFile(path.join(dir, 'output', '02-take-the-app-offline.log'), 'utf8');
    expect(offline).toContain('offline, passphrase is ********');

    // The post-mortem.
    const pm = await runDrc(['postmortem', result.data.incident], { env: env() });
    expect(pm.exitCode).toBe(0);
    const report = await readFile(path.join(dir, 'postmortem.md'), 'utf8');
    for (const heading of ['## Summary', '## Impact', '## Detection', '## Resolution', '## Root causes', '## Action items', '## Lessons learned', '## Timeline']) {
      expect(report).toContain(heading);
    }
    expect(report).toContain('✍ **To be written by the incident team.**');
    for (const title of ['Announce', 'Take the app offline', 'Back up the good state', 'Verify the set', 'Lose the data', 'Restore the database', 'Check the users are back', 'Tell people']) {
      expect(report).toMatch(new RegExp(`\\| \\d \\| ${title} \\| done \\| 1 \\| \\d\\d:\\d\\d:\\d\\d \\| [\\d.]+m?s \\| [\\d.]+m?s \\| [\\d.]+m?s \\|`));
    }
    // RTO: incident start → the step the playbook names as "recovered"; RPO: lost_at → the restored set's time.
    const recovered = events.find((event) => event.type === 'step-finished' && event.step === 6)!;
    const rto = formatDuration(Date.parse(recovered.at) - Date.parse(events[0]!.at));
    const rpo = formatDuration(Date.parse(lostAt) - Date.parse(restored.restored.setTime));
    expect(report).toContain(`| RTO | 2h 0m | ${rto} | ✅ met | incident start → last recovery step passed |`);
    expect(report).toContain(`| RPO | 1h 0m | ${rpo} | ✅ met | data-loss time → time of the restored set |`);
    expect(report).toContain(`restored from set \`${restored.restored.setId}\``);
    expect(report).toContain('```mermaid\ngantt\n');
    expect(report).toMatch(/ {2}6\. Restore the database :done, s6, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, \d+s/);
    expect(report).toMatch(/Service restored :milestone, rto, /);
    expect(report).toMatch(/step 8 "Tell people": confirmed "Support informed" \(--yes\)/);
    expect(report).not.toContain(PASSPHRASE);
  });
});

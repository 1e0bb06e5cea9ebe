import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { BUNDLED_PLAYBOOKS_DIR, loadPlaybookFile } from '../../src/playbooks/load.js';
import { parsePlaybook } from '../../src/playbooks/parse.js';
import { PlaybookError } from '../../src/playbooks/playbook-error.js';
import { runDrc } from '../helpers/drc.js';
import { makeTempDir } from '../helpers/tmp.js';

/** A config with every source the bundled playbooks name by default. */
const config = parseConfig({
  sources: [
    { name: 'app-db', type: 'mysql', url: 'mysql://backup@localhost/askproai_db?socket=/run/mysqld/mysqld.sock' },
    { name: 'calcom', type: 'calcom', apiKeyEnv: 'CALCOM_API_KEY' },
    { name: 'retell', type: 'retell', apiKeyEnv: 'RETELL_API_KEY' },
  ],
  targets: [{ name: 'local', type: 'local', path: '/var/backups/drc' }],
  encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
});

const GOOD = `---
id: good
title: Good
vars: { app_dir: /srv/app }
---
# Good

## Stop the app
\`\`\`sh timeout=2m
cd \${app_dir} && ./stop
\`\`\`

## Restore
\`\`\`drc
action: restore
source: app-db
\`\`\`

## Tell people
- [ ] Support informed
- [ ] Status page updated

## Read this
Nothing runs here.
`;

function problemsOf(text: string, options: { config?: typeof config } = {}): string[] {
  try {
    parsePlaybook(text, { file: '/playbooks/broken.md', env: {}, ...options });
  } catch (error) {
    if (error instanceof PlaybookError) return error.message.split('\n');
    throw error;
  }
  throw new Error('the playbook was accepted');
}

describe('playbook parser', () => {
  it('parses every bundled playbook, with source names checked against a config', async () => {
    const files = (await readdir(BUNDLED_PLAYBOOKS_DIR)).filter((name) => name.endsWith('.md'));
    expect(files.sort()).toEqual(['calcom-outage.md', 'corrupt-billing.md', 'local-data-loss.md', 'restore-drill.md', 'retell-outage.md', 'server-lost.md']);
    for (const file of files) {
      const playbook = loadPlaybookFile(path.join(BUNDLED_PLAYBOOKS_DIR, file), { config, env: {} });
      expect(playbook.id).toBe(file.replace(/\.md$/, ''));
      expect(playbook.steps.length).toBeGreaterThanOrEqual(4);
      expect(playbook.recoveredStep).toBeDefined();
      expect(playbook.intro).toMatch(/\*\*Who to tell/);
    }
  });

  it('turns headings into steps: shell, drc action, checklist, read-only', () => {
    const playbook = parsePlaybook(GOOD, { file: '/playbooks/good.md', env: {}, vars: { app_dir: '/var/www/app' } });
    expect(playbook.steps.map((step) => step.title)).toEqual(['Stop the app', 'Restore', 'Tell people', 'Read this']);
    // Vars reach shell blocks as environment variables; the script keeps ${app_dir} for sh to expand.
    expect(playbook.steps[0]!.run).toEqual({ kind: 'shell', shell: 'sh', script: 'cd ${app_dir} && ./stop', timeoutMs: 120_000, line: 9 });
    expect(playbook.vars.app_dir).toBe('/var/www/app');
    expect(playbook.steps[1]!.run).toMatchObject({ kind: 'action', action: { action: 'restore', source: 'app-db', set: 'latest' } });
    expect(playbook.steps[2]!.checklist).toEqual([
      { text: 'Support informed', line: 20 },
      { text: 'Status page updated', line: 21 },
    ]);
    expect(playbook.steps[3]).toMatchObject({ run: undefined, checklist: [], text: 'Nothing runs here.' });
  });

  it('refuses bad frontmatter with its file:line', () => {
    const problems = problemsOf(GOOD.replace('title: Good', 'title: Good\nseverity: urgent\nobjectivs: { rto: 2h }'));
    expect(problems).toEqual([
      expect.stringMatching(/^\/playbooks\/broken\.md:4: frontmatter "severity": .*"critical"/),
      expect.stringMatching(/^\/playbooks\/broken\.md:5: frontmatter: unknown key "objectivs" \(did you mean "objectives"\?\)$/),
    ]);
    expect(problemsOf('# No frontmatter\n\n## Step\n')).toEqual([expect.stringMatching(/^\/playbooks\/broken\.md:1: no frontmatter/)]);
  });

  it('refuses an unknown action, suggesting the closest one', () => {
    expect(problemsOf(GOOD.replace('action: restore', 'action: restor'))).toEqual([
      '/playbooks/broken.md:15: unknown action "restor" (did you mean "restore"?); expected one of backup, restore, verify, check, wait, sync, retell-route, calcom-fallback, init',
    ]);
  });

  it('refuses an unknown variable at load time, with the line it is on', () => {
    expect(problemsOf(GOOD.replace('./stop', './stop ${app_dri}'))).toEqual([
      '/playbooks/broken.md:10: unknown variable "${app_dri}" (did you mean "app_dir"?); define it under "vars:" in the frontmatter, pass --var app_dri=…, or export it',
    ]);
  });

  it('refuses a drc block with bad YAML, and a missing or misspelt parameter', () => {
    expect(problemsOf(GOOD.replace('source: app-db', 'source: [app-db'))).toEqual([expect.stringMatching(/^\/playbooks\/broken\.md:1[67]: the drc block is not valid YAML: /)]);
    expect(problemsOf(GOOD.replace('source: app-db', 'sourc: app-db'))).toEqual([
      '/playbooks/broken.md:15: restore action "source": missing: name the configured source to restore',
      '/playbooks/broken.md:16: restore action: unknown key "sourc" (did you mean "source"?)',
    ]);
  });

  it('with a config, refuses source names it does not define', () => {
    expect(problemsOf(GOOD.replace('source: app-db', 'source: app-dbb'), { config })).toEqual([
      '/playbooks/broken.md:16: restore action: no configured source "app-dbb" (did you mean "app-db"?); configured: app-db, calcom, retell',
    ]);
  });

  it('refuses two runnable blocks in one step', () => {
    const text = GOOD.replace('## Restore\n', '## Restore\n```sh\necho one\n```\n');
    expect(problemsOf(text)).toEqual([expect.stringMatching(/^\/playbooks\/broken\.md:17: step "Restore" already runs the block at line 14; .*split it/)]);
  });
});

describe('drc playbooks check / drc run with a broken playbook', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let broken: string;

  beforeAll(async () => {
    tmp = await makeTempDir();
    broken = path.join(tmp.dir, 'broken.md');
    await writeFile(broken, GOOD.replace('action: restore', 'action: restor'));
  });

  afterAll(async () => tmp?.cleanup());

  it('check validates without a config and names file:line', async () => {
    const good = path.join(tmp.dir, 'good.md');
    await writeFile(good, GOOD);
    const result = await runDrc(['playbooks', 'check', good, broken], { env: { DRC_CONFIG: undefined }, cwd: tmp.dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('good.md: ok, "Good": 4 steps (1 shell, 1 drc, 1 checklist, 1 read-only)');
    expect(result.stderr).toContain('broken.md:15: unknown action "restor" (did you mean "restore"?)');
    expect(result.stderr).toContain('1 of 2 playbook(s) refused (no config: source names not checked)');
  });

  it('run refuses it before anything runs: no incident is opened', async () => {
    const stateDir = path.join(tmp.dir, 'state');
    await mkdir(stateDir);
    const configFile = path.join(tmp.dir, 'drc.json');
    await writeFile(configFile, JSON.stringify({ ...JSON.parse(JSON.stringify(config)), stateDir }));
    const result = await runDrc(['run', broken, '--config', configFile]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${broken}:15: unknown action "restor"`);
    expect(await readdir(stateDir)).toEqual([]);
  });

  it('lists the bundled playbooks', async () => {
    const result = await runDrc(['playbooks', '--json'], { env: { DRC_CONFIG: undefined } });
    const ids = ((result.events.at(-1) as { data: { playbooks: Array<{ id: string; ok: boolean }> } }).data.playbooks).map((entry) => entry.id);
    expect(ids).toEqual(['calcom-outage', 'corrupt-billing', 'local-data-loss', 'restore-drill', 'retell-outage', 'server-lost']);
    // Listed as usable, not as refused: each loads, with its title and steps.
    expect(result.exitCode, result.stderr).toBe(0);
    const entries = (result.events.at(-1) as { data: { playbooks: Array<{ id: string; ok: boolean; title?: string; steps?: number; problem?: string }> } }).data.playbooks;
    expect(entries.filter((entry) => !entry.ok)).toEqual([]);
    expect(entries.find((entry) => entry.id === 'local-data-loss')).toMatchObject({ title: 'Local data loss', steps: 8 });
    expect(await readFile(path.join(BUNDLED_PLAYBOOKS_DIR, 'local-data-loss.md'), 'utf8')).toContain('```drc\naction: restore');
  });
});

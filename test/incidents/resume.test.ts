import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drcCommand, runDrc } from '../helpers/drc.js';
import { makeTempDir } from '../helpers/tmp.js';

/**
 * Each step appends to a marker file, so the test can count how often each step really ran.
 * Step 2 sleeps for $NAP seconds after writing "started": long on the first run (so drc can be
 * killed in the middle of it), short on the resume.
 */
const PLAYBOOK = `---
id: killable
title: Killable
vars: { markers: /tmp }
---
# Killable

## First
\`\`\`sh
echo first >> \${markers}/first
\`\`\`

## Slow
\`\`\`sh
echo started >> \${markers}/slow-started
sleep \${NAP:-0}
echo finished >> \${markers}/slow-finished
\`\`\`

## Last
\`\`\`sh
echo last >> \${markers}/last
\`\`\`
`;

async function lines(file: string): Promise<string[]> {
  return existsSync(file) ? (await readFile(file, 'utf8')).trim().split('\n') : [];
}

describe('drc resume after drc run was killed with SIGKILL', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let configFile: string;

  beforeAll(async () => {
    tmp = await makeTempDir();
    configFile = path.join(tmp.dir, 'drc.json');
    await writeFile(
      configFile,
      JSON.stringify({
        sources: [{ name: 'files', type: 'files', paths: [tmp.dir] }],
        targets: [{ name: 'local', type: 'local', path: path.join(tmp.dir, 'backups') }],
        encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
        stateDir: path.join(tmp.dir, 'state'),
      }),
    );
    await writeFile(path.join(tmp.dir, 'killable.md'), PLAYBOOK);
  });

  afterAll(async () => tmp?.cleanup());

  it('continues at the interrupted step, never reruns a finished one, and completes', async () => {
    const markers = path.join(tmp.dir, 'markers');
    await execa('mkdir', [markers]);
    const { command, args } = drcCommand();
    const killed = execa(command, [...args, 'run', path.join(tmp.dir, 'killable.md'), '--config', configFile, '--var', `markers=${markers}`], {
      env: { NAP: '60' },
      stdin: 'ignore',
      reject: false,
    });
    // Kill drc itself (not its process group) once the slow step is under way.
    for (let waited = 0; !(await lines(path.join(markers, 'slow-started'))).length; waited += 100) {
      if (waited > 60_000) throw new Error('the slow step never started');
      await sleep(100);
    }
    killed.kill('SIGKILL');
    const outcome = await killed;
    expect(outcome.signal).toBe('SIGKILL');

    const [id] = await readdir(path.join(tmp.dir, 'state', 'incidents'));
    const listed = await runDrc(['incidents', '--config', configFile]);
    expect(listed.stderr).toContain(`${id}  open`);
    expect(listed.stderr).toContain('1/3 steps, at step 2 "Slow" (running)');

    const resumed = await runDrc(['resume', '--config', configFile], { env: { NAP: '0' } });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('1 of 3 steps already finished; they will not run again');
    expect(resumed.stderr).toContain('▶ step 2/3: Slow (attempt 2)');
    expect(resumed.stderr).not.toContain('▶ step 1/3');
    expect(resumed.stderr).toContain(`incident ${id} resolved`);

    // The finished step ran once; the interrupted one ran again (its first run never finished,
    // and the leftover "sleep 60" was stopped so it never finishes late); the rest ran once.
    expect(await lines(path.join(markers, 'first'))).toEqual(['first']);
    expect(await lines(path.join(markers, 'slow-started'))).toEqual(['started', 'started']);
    expect(await lines(path.join(markers, 'slow-finished'))).toEqual(['finished']);
    expect(await lines(path.join(markers, 'last'))).toEqual(['last']);

    const journal = (await readFile(path.join(tmp.dir, 'state', 'incidents', id!, 'journal.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; step?: number; reason?: string });
    expect(journal.filter((event) => event.type === 'step-finished').map((event) => event.step)).toEqual([0, 1, 2]);
    const interrupted = journal.find((event) => event.type === 'step-interrupted');
    expect(interrupted).toMatchObject({ step: 1 });
    expect(interrupted?.reason).toMatch(/drc stopped while this step ran.*was still running and has been stopped/);
    expect(journal.at(-1)).toMatchObject({ type: 'incident-finished', status: 'resolved' });

    const report = await runDrc(['postmortem', id!, '--config', configFile, '--out', '-']);
    expect(report.stdout).toContain('| 2 | Slow | done | 2 |');
    expect(report.stdout).toContain('The run was interrupted and resumed 1 time(s).');
  });

  it('records SIGTERM during a step as an interruption and exits non-zero', async () => {
    const markers = path.join(tmp.dir, 'markers-term');
    await execa('mkdir', [markers]);
    const { command, args } = drcCommand();
    const run = execa(command, [...args, 'run', path.join(tmp.dir, 'killable.md'), '--config', configFile, '--var', `markers=${markers}`], {
      env: { NAP: '60' },
      stdin: 'ignore',
      reject: false,
    });
    while (!(await lines(path.join(markers, 'slow-started'))).length) await sleep(100);
    run.kill('SIGTERM');
    const outcome = await run;
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toMatch(/step 2\/3 "Slow" interrupted: SIGTERM: drc was asked to stop/);
    expect(outcome.stderr).toMatch(/continue with "drc resume \S+"/);
    await sleep(500);
    expect(await lines(path.join(markers, 'slow-finished'))).toEqual([]);
  });
});

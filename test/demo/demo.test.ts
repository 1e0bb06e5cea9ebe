import { readFile, rm, stat } from 'node:fs/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { runDrc } from '../helpers/drc.js';

describe('drc demo --headless', () => {
  it('backs up sample data, loses a table, runs the local-data-loss playbook and writes the post-mortem', async () => {
    const run = await runDrc(['demo', '--headless', '--keep', '--json'], { timeoutMs: 240_000 });
    const result = run.events.find((event) => event.type === 'result' && event.command === 'demo');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(result).toBeTruthy();
    const data = result!.data as { status: string; postmortem: string; sandbox: string; rtoMs: number; rpoMs: number };
    try {
      expect(data.status).toBe('resolved');
      expect(data.rtoMs).toBeGreaterThan(0);
      expect(data.rpoMs).toBeGreaterThanOrEqual(0);
      expect(String(result!.summary)).toMatch(/achieved RTO .* \(objective 2h 0m: met\), RPO .* \(objective 1h 0m: met\)/);
      const postmortem = await readFile(data.postmortem, 'utf8');
      expect(postmortem).toContain('# Post-mortem: Local data loss');
      expect(postmortem).toContain('Recovery objectives');
      // The generated passphrase never leaves its file.
      const passphrase = (await readFile(`${data.sandbox}/passphrase`, 'utf8')).trim();
      expect((await stat(`${data.sandbox}/passphrase`)).mode & 0o777).toBe(0o600);
      expect(run.stdout + run.stderr + postmortem).not.toContain(passphrase);
      // Everything it started it stopped.
      const { stdout } = await execa('ps', ['-eo', 'args'], { reject: false });
      expect(stdout.split('\n').filter((line) => line.includes(data.sandbox))).toEqual([]);
    } finally {
      await rm(data.sandbox, { recursive: true, force: true });
    }
  }, 300_000);
});

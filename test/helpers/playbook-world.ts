import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { runDrc, type DrcRun } from './drc.js';
import { makeTempDir } from './tmp.js';

/**
 * The world the bundled playbooks run in, the way an on-call engineer would at 3 a.m.:
 * `drc run <id> --yes` with a config that has the sources the playbook names, and a `php` on
 * PATH that answers `php artisan …` like the Laravel app would (and logs what it was asked, so
 * the tests see what ran). Shared by the bundled-playbook tests.
 */
export const PASSPHRASE = 'bundled-e2e-passphrase-4c1d';
export const CALCOM_KEY = 'cal_live_e2e_9a8b7c6d5e4f30211203';
export const RETELL_KEY = 'key_e2e_1f2e3d4c5b6a79880796';
/** Test knobs: the outage playbooks poll every second instead of every minute. */
export const FAST_WAIT = ['--var', 'wait_interval=1s', '--var', 'wait_for=2m'];

/** A scenario's own folder, config (stateDir and backups inside it) and php log. */
export interface Scenario {
  dir: string;
  configFile: string;
  stateDir: string;
  phpLog: string;
  drc(args: string[]): Promise<DrcRun>;
  /** Starts `drc run <playbook> --yes` with the app folder and extra args; resolves when it exits. */
  run(playbook: string, extra?: string[]): Promise<DrcRun>;
  artisanCalls(): string[];
  journal(incident: string): Array<Record<string, unknown>>;
}

export interface PlaybookWorld {
  makeScenario(name: string, sources: unknown[]): Promise<Scenario>;
  cleanup(): Promise<void>;
}

/** A temp folder with the app (an `artisan` file) and a bin folder holding the stand-in php. */
export async function createPlaybookWorld(prefix: string): Promise<PlaybookWorld> {
  const tmp = await makeTempDir(prefix);
  const appDir = path.join(tmp.dir, 'app');
  await mkdir(appDir, { recursive: true });
  await writeFile(path.join(appDir, 'artisan'), '# Laravel artisan (stand-in)\n');
  return {
    cleanup: () => tmp.cleanup(),
    async makeScenario(name, sources) {
      const dir = path.join(tmp.dir, name);
      await mkdir(dir, { recursive: true });
      const configFile = path.join(dir, 'drc.json');
      const stateDir = path.join(dir, 'state');
      const phpLog = path.join(dir, 'php.log');
      const binDir = path.join(dir, 'bin');
      await writePhpStub(binDir, phpLog);
      await writeFile(
        configFile,
        JSON.stringify({
          sources,
          targets: [{ name: 'local', type: 'local', path: path.join(dir, 'backups') }],
          encryption: { passphraseEnv: 'E2E_PASSPHRASE' },
          stateDir,
        }),
      );
      const env = {
        E2E_PASSPHRASE: PASSPHRASE,
        E2E_CALCOM_KEY: CALCOM_KEY,
        E2E_RETELL_KEY: RETELL_KEY,
        PATH: `${binDir}:${process.env.PATH ?? ''}`,
      };
      const drc = (args: string[]) => runDrc(['--config', configFile, ...args], { env, timeoutMs: 150_000 });
      return {
        dir,
        configFile,
        stateDir,
        phpLog,
        drc,
        run: (playbook, extra = []) => drc(['run', playbook, '--yes', '--var', `app_dir=${appDir}`, ...extra]),
        artisanCalls: () => (existsSync(phpLog) ? readFileSync(phpLog, 'utf8').trim().split('\n') : []),
        journal: (incident) =>
          readFileSync(path.join(stateDir, 'incidents', incident, 'journal.jsonl'), 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Record<string, unknown>),
      };
    },
  };
}

/**
 * A `php` that answers `php artisan …` and logs it. Shell steps get an explicit environment
 * (PATH, locale, HOME, TMPDIR and the playbook's vars), so the log path is written into the stub.
 * It refuses to run outside the app folder, as `php artisan` does, so a missing `cd` fails the step.
 */
async function writePhpStub(binDir: string, logFile: string): Promise<void> {
  await mkdir(binDir, { recursive: true });
  await writeFile(
    path.join(binDir, 'php'),
    [
      '#!/bin/sh',
      '[ "$1" = artisan ] || { echo "test php: only artisan is simulated" >&2; exit 1; }',
      '[ -f artisan ] || { echo "Could not open input file: artisan" >&2; exit 1; }',
      'shift',
      `echo "$*" >> '${logFile.replace(/'/g, `'\\''`)}'`,
      'echo "   INFO  $1: done."',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
}

export function incidentOf(run: DrcRun): string {
  const match = /incident (\S+): /.exec(run.stderr);
  expect(match, run.stderr).toBeTruthy();
  return match![1]!;
}

/** Every step finished (none skipped or left failed) and the incident resolved. */
export function expectEveryStepFinished(journal: Array<Record<string, unknown>>): void {
  const started = journal[0] as { type: string; steps: Array<{ title: string }> };
  expect(started.type).toBe('incident-started');
  const finished = new Set(journal.filter((event) => event.type === 'step-finished').map((event) => event.step));
  expect([...finished].sort((a, b) => Number(a) - Number(b))).toEqual(started.steps.map((_, index) => index));
  expect(journal.filter((event) => event.type === 'step-skipped')).toEqual([]);
  expect(journal.at(-1)).toMatchObject({ type: 'incident-finished', status: 'resolved' });
}

export async function writePostmortem(scenario: Scenario, incident: string): Promise<string> {
  const written = await scenario.drc(['postmortem', incident]);
  expect(written.exitCode, written.stderr).toBe(0);
  return readFile(path.join(scenario.stateDir, 'incidents', incident, 'postmortem.md'), 'utf8');
}

/** Resolves once `count` requests reached `pathname` on a fake: drc is polling it. */
export async function waitForRequests(fake: { requests: Array<{ path: string }> }, pathname: string, count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (fake.requests.filter((request) => request.path === pathname).length < count) {
    if (Date.now() > deadline) throw new Error(`drc never asked ${pathname} ${count} times`);
    await sleep(100);
  }
}

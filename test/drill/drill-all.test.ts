import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drcCommand } from '../helpers/drc.js';
import { makeTestServer, type TestServer } from '../e2e/server-fixture.js';

let server: TestServer;

beforeAll(async () => {
  server = await makeTestServer();
  const backup = await server.drc(['--config', server.configFile, 'backup']);
  expect(backup.exitCode, backup.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await server?.cleanup();
});

/** A temp folder of its own for the drill (TMPDIR), so "nothing left behind" can be checked exactly. */
async function drillTmp(name: string): Promise<string> {
  const dir = path.join(server.dir, name);
  await mkdir(dir, { recursive: true });
  // Like /tmp, the throwaway PostgreSQL's owner (postgres) must be able to pass through.
  await chmod(server.dir, 0o711);
  await chmod(dir, 0o711);
  return dir;
}

/** Processes whose command line mentions `dir`: the throwaway servers if any were left running. */
async function processesUnder(dir: string): Promise<string[]> {
  const { stdout } = await execa('ps', ['-eo', 'pid,args'], { reject: false });
  return stdout.split('\n').filter((line) => line.includes(dir) && !line.includes('ps -eo'));
}

async function readDrills(): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path.join(server.stateDir, 'history', 'drills.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('drc drill --all (server-lost drill)', () => {
  it('restores every database and files item of the newest offsite set into throwaway servers, passes, records RTO and RPO, and leaves nothing behind', async () => {
    const tmp = await drillTmp('tmp-pass');
    const run = await server.drc(['--config', server.configFile, 'drill', '--all'], { env: { TMPDIR: tmp } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/OK +core-db \(postgres\) .*table row count\(s\) match, 1 smoke check\(s\) passed in a throwaway PostgreSQL/);
    expect(run.stderr).toMatch(/OK +app-db \(mysql\) .*in a throwaway MySQL\/MariaDB/);
    expect(run.stderr).toMatch(/OK +app \(files\) .*extracted in full/);
    expect(run.stderr).toMatch(/drill --all OK: 5 item\(s\) of set \S+ restored and checked in throwaway servers; whole-server RTO [\dhms. ]+ \(objective 2h\), RPO/);
    const record = (await readDrills()).at(-1)!;
    expect(record).toMatchObject({ source: 'server', ok: true });
    expect(record.rtoMs).toBeGreaterThan(0);
    expect(record.rpoMs).toBeGreaterThan(0);
    expect(await readdir(tmp)).toEqual([]);
    expect(await processesUnder(tmp)).toEqual([]);
    // The fleet view sees the drill from the bucket.
    const fleet = await server.drc(['--config', server.configFile, 'status', '--all-hosts', '--target', 'offsite']);
    expect(fleet.stdout).toMatch(/last drill passed \S+ ago \(server\)/);
  }, 300_000);

  it('stopped with SIGTERM while the servers run, it stops them, removes its folder, exits 2 and records a failed drill', async () => {
    const tmp = await drillTmp('tmp-term');
    const { command, args } = drcCommand();
    const child = spawn(command, [...args, '--config', server.configFile, 'drill', '--all'], {
      env: { ...process.env, ...server.env, TMPDIR: tmp, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = once(child, 'exit');
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // PostgreSQL is up and the first item is being restored into it: stop now.
        if (/core-db: .*→ PostgreSQL database|restore.*core-db|drill --all.*core-db/.test(stderr) || /starting a throwaway MariaDB/.test(stderr)) resolve();
      });
      child.on('exit', () => reject(new Error(`drill ended before it could be stopped:\n${stderr}`)));
    });
    expect(await processesUnder(tmp)).not.toEqual([]);
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/drill --all FAILED: .*stopped by SIGTERM/);
    expect(await readdir(tmp)).toEqual([]);
    expect(await processesUnder(tmp)).toEqual([]);
    expect((await readDrills()).at(-1)).toMatchObject({ source: 'server', ok: false });
  }, 300_000);
});

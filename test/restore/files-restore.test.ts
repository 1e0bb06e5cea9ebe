import { chmod, mkdir, open, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp.js';
import { makeFixture, type Fixture } from './fixture.js';

let fixture: Fixture | undefined;
let cleanupData: (() => Promise<void>) | undefined;

afterEach(async () => {
  await fixture?.cleanup();
  await cleanupData?.();
  fixture = undefined;
  cleanupData = undefined;
});

async function makeAppFolder(): Promise<string> {
  const { dir, cleanup } = await makeTempDir('drc-files-');
  cleanupData = cleanup;
  const app = path.join(dir, 'api-gateway');
  await mkdir(path.join(app, 'storage/uploads'), { recursive: true });
  await writeFile(path.join(app, '.env'), 'APP_KEY=base64:abc\n');
  await chmod(path.join(app, '.env'), 0o640);
  await writeFile(path.join(app, 'artisan'), '#!/usr/bin/env php\n');
  await chmod(path.join(app, 'artisan'), 0o755);
  await writeFile(path.join(app, 'storage/uploads/logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
  await symlink('storage/uploads', path.join(app, 'public-uploads'));
  return app;
}

/** Names, modes, symlink targets and contents of everything below a folder. */
async function describeTree(root: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  for (const name of (await readdir(root, { recursive: true })).sort()) {
    const full = path.join(root, name);
    const info = await stat(full).catch(() => undefined);
    const link = await readlink(full).catch(() => undefined);
    if (link !== undefined) tree[name] = `-> ${link}`;
    else if (info?.isDirectory()) tree[name] = `dir ${(info.mode & 0o777).toString(8)}`;
    else tree[name] = `${(info!.mode & 0o777).toString(8)} ${(await readFile(full)).toString('base64')}`;
  }
  return tree;
}

describe('drc restore (files)', () => {
  it('restores into a new folder beside the original, keeping modes and symlinks, and never touches the original', async () => {
    const app = await makeAppFolder();
    fixture = await makeFixture([{ name: 'app', type: 'files', paths: [app] }]);
    const original = await describeTree(app);
    expect((await fixture.drc(['backup'])).exitCode).toBe(0);
    await writeFile(path.join(app, '.env'), 'APP_KEY=changed after the backup\n');
    const changed = await describeTree(app);

    const run = await fixture.drc(['restore', 'latest', '--source', 'app', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    const siblings = (await readdir(path.dirname(app))).filter((name) => name.startsWith('api-gateway.restored-'));
    expect(siblings).toHaveLength(1);
    expect(await describeTree(path.join(path.dirname(app), siblings[0]!))).toEqual(original);
    expect(await describeTree(app)).toEqual(changed);
    expect((await readdir(path.dirname(app))).filter((name) => name.startsWith('.drc-restore'))).toEqual([]);
  });

  it('--into puts the archived paths below the folder given', async () => {
    const app = await makeAppFolder();
    fixture = await makeFixture([{ name: 'app', type: 'files', paths: [app] }]);
    const original = await describeTree(app);
    expect((await fixture.drc(['backup'])).exitCode).toBe(0);
    const into = path.join(fixture.dir, 'elsewhere');
    const run = await fixture.drc(['restore', 'latest', '--source', 'app', '--into', into, '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await describeTree(path.join(into, app))).toEqual(original);
  });

  it('a damaged archive exits 2, leaves the original as it is and nothing beside it', async () => {
    const app = await makeAppFolder();
    fixture = await makeFixture([{ name: 'app', type: 'files', paths: [app] }]);
    expect((await fixture.drc(['backup'])).exitCode).toBe(0);
    await writeFile(path.join(app, '.env'), 'APP_KEY=changed after the backup\n');
    const live = await describeTree(app);
    const siblingsBefore = await readdir(path.dirname(app));
    const archive = path.join(await fixture.setDir(), (await readdir(await fixture.setDir())).find((name) => name.startsWith('app.'))!);
    const handle = await open(archive, 'r+');
    const { size } = await handle.stat();
    await handle.write(Buffer.from([0x42, 0x42, 0x42, 0x42]), 0, 4, Math.floor(size / 2));
    await handle.close();

    const run = await fixture.drc(['restore', 'latest', '--source', 'app', '--yes']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/every copy of app\.\S+ in set \S+ is damaged/);
    expect(await describeTree(app)).toEqual(live);
    expect(await readdir(path.dirname(app))).toEqual(siblingsBefore);
  });
});

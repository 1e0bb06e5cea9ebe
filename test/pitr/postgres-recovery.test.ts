import { createReadStream } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/backup/run-backup.js';
import { parseConfig } from '../../src/config/parse.js';
import { ignoreEvents } from '../../src/events.js';
import type { PgCluster } from '../../src/demo/postgres-cluster.js';
import { connectPostgres } from '../../src/sources/postgres.js';
import { choosePostgresBase, recoverPostgres, type WalArchiveView } from '../../src/pitr/postgres/restore-at.js';
import { loadDecryptionKeys } from '../../src/restore/decrypt.js';
import { openTargets } from '../../src/storage/open-targets.js';
import { loadSetTrust } from '../../src/sets/sealed-manifest.js';
import { makeTempDir } from '../helpers/tmp.js';
import { listFolder, makePostgresFolder, startArchivingCluster, switchAndWaitArchived } from './pg-cluster.js';

const PASS_ENV = 'DRC_TEST_PITR_RECOVERY_PASS';

/** The archive as a plain folder of WAL files (what `cp %p DIR/%f` leaves): recovery without the drc store. */
function folderArchive(folder: string, onOpen?: (name: string) => void): WalArchiveView {
  return {
    supply: {
      async open(name) {
        onOpen?.(name);
        const file = path.join(folder, name);
        const info = await stat(file).catch(() => undefined);
        return info ? { stream: createReadStream(file), bytes: info.size } : undefined;
      },
    },
    checkReachable: async () => {},
  };
}

describe('PostgreSQL recovery of a base backup to a time, in a throwaway instance', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let cluster: PgCluster;
  let walDir: string;
  let scratchRoot: string;
  let config: ReturnType<typeof parseConfig>;
  let beforeT: Date;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('drc-pitr-rec-'));
    await chmod(dir, 0o711); // the postgres user walks through it to its own folders
    process.env[PASS_ENV] = 'pitr-recovery-pass';
    walDir = await makePostgresFolder(path.join(dir, 'wal'));
    scratchRoot = await makePostgresFolder(path.join(dir, 'scratch'));
    cluster = await startArchivingCluster(path.join(dir, 'pg'), `test ! -f ${walDir}/%f && cp %p ${walDir}/%f`);
    await cluster.psql('postgres', 'CREATE DATABASE app');
    await cluster.psql('app', 'CREATE TABLE events (id int PRIMARY KEY, at timestamptz DEFAULT now()); CREATE TABLE keepme (k int); INSERT INTO events (id) SELECT g FROM generate_series(1, 100) g; INSERT INTO keepme VALUES (1)');
    config = parseConfig(
      {
        sources: [{ name: 'core', type: 'postgres', url: cluster.url('app'), pitr: true }],
        targets: [{ name: 'local', type: 'local', path: path.join(dir, 'backups') }],
        encryption: { passphraseEnv: PASS_ENV },
        stateDir: path.join(dir, 'state'),
      },
      'test config',
    );
    const outcome = await runBackup({ config, stateDir: path.join(dir, 'state'), emit: ignoreEvents });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.manifest!.items.map((item) => item.file)).toEqual(['core.dump.zst.gpg', 'core.base.tar.zst.gpg', 'drc.config.json.zst.gpg', 'drc.system.json.zst.gpg']);
    await cluster.psql('app', 'INSERT INTO events (id) SELECT g FROM generate_series(101, 150) g');
    beforeT = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20)); // commit timestamps after T differ from it by more than rounding
    await cluster.psql('app', 'INSERT INTO events (id) SELECT g FROM generate_series(151, 175) g');
    await cluster.psql('app', 'DROP TABLE keepme');
    await switchAndWaitArchived(cluster);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await cleanup?.();
  });

  it('records the base backup in the manifest: label, timeline, start/stop LSN and WAL range', async () => {
    const targets = await openTargets(config);
    const chosen = await choosePostgresBase(targets, await loadSetTrust(config, path.join(dir, 'state')), 'core', 'latest', beforeT, ignoreEvents);
    const info = chosen.item.baseBackup!;
    expect(info.timeline).toBe(1);
    expect(info.label).toMatch(/^drc core /);
    expect(info.startLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(info.startWal <= info.stopWal).toBe(true);
    expect(info.major).toBe(15);
    expect(info.superuser).toBe('postgres');
  });

  it('recovers to T: rows committed before T are there, later ones and the later DROP are not; the scratch instance is gone afterwards', async () => {
    const { pitr, keys } = await prepare();
    const seen = await recoverPostgres({ source: config.sources[0] as never, pitr, wal: folderArchive(walDir), keys, at: beforeT, emit: ignoreEvents, scratchRoot }, async (instance) => {
      const client = await connectPostgres(instance.connection('app'), 'test', 'app');
      try {
        const events = (await client.query<{ n: string; top: number }>('SELECT count(*) AS n, max(id) AS top FROM events')).rows[0]!;
        const keepme = (await client.query<{ r: string | null }>("SELECT to_regclass('keepme')::text AS r")).rows[0]!.r;
        return { count: Number(events.n), top: events.top, keepme, served: [...instance.walServed] };
      } finally {
        await client.end();
      }
    });
    expect(seen).toMatchObject({ count: 150, top: 150, keepme: 'keepme' });
    expect(seen.served.length).toBeGreaterThan(0);
    expect(await listFolder(scratchRoot)).toEqual([]);
  }, 120_000);

  /** The base backup before T and the keys to read it. */
  async function prepare() {
    const targets = await openTargets(config);
    const pitr = await choosePostgresBase(targets, await loadSetTrust(config, path.join(dir, 'state')), 'core', 'latest', beforeT, ignoreEvents);
    return { pitr, keys: await loadDecryptionKeys(config.encryption, pitr.resolved.manifest) };
  }

  it('a stop (SIGTERM) during recovery ends it, stops the instance and removes its folder', async () => {
    const { pitr, keys } = await prepare();
    const controller = new AbortController();
    const archive = folderArchive(walDir, () => controller.abort(new Error('stopped by SIGTERM')));
    await expect(
      recoverPostgres({ source: config.sources[0] as never, pitr, wal: archive, keys, at: beforeT, emit: ignoreEvents, signal: controller.signal, scratchRoot }, async () => 'not reached'),
    ).rejects.toThrow(/stopped by SIGTERM/);
    expect(await listFolder(scratchRoot)).toEqual([]);
  }, 120_000);

  it('a failure after recovery (the copy-out throws) still removes the instance', async () => {
    const { pitr, keys } = await prepare();
    await expect(
      recoverPostgres({ source: config.sources[0] as never, pitr, wal: folderArchive(walDir), keys, at: beforeT, emit: ignoreEvents, scratchRoot }, async () => {
        throw new Error('copy-out failed');
      }),
    ).rejects.toThrow('copy-out failed');
    expect(await listFolder(scratchRoot)).toEqual([]);
  }, 120_000);
});

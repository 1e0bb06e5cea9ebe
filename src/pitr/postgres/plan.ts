import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { PostgresSourceConfig } from '../../config/schema.js';
import { DrcError, EXIT } from '../../errors.js';
import type { PlanPointInTimeOptions, PointInTimePlan } from '../../restore/point-in-time.js';
import { shellJoin } from '../../trust/shell-quote.js';
import { PG_LIB_ROOT } from './recovery-instance.js';
import { choosePostgresBase, copyOutDatabase, recoverPostgres } from './restore-at.js';
import { openWalArchive } from './wal-archive.js';

/**
 * PostgreSQL: the newest base backup finished by the time, recovered in a throwaway instance
 * with the archived WAL, then one database copied out with pg_dump | pg_restore into the
 * scratch database the plain restore checks and swaps in.
 */
export async function planPostgresPointInTime(options: PlanPointInTimeOptions & { source: PostgresSourceConfig }): Promise<PointInTimePlan> {
  const { source, at, emit } = options;
  const pitr = await choosePostgresBase(options.targets, options.trust, source.name, options.set, at, emit);
  const wal = openWalArchive({ config: options.config, source, targets: options.targets, keyFile: options.keyFile, signal: options.signal });
  // Refused now, before anything is asked or unpacked, when the WAL cannot reach the time.
  await wal.checkReachable(pitr.base, at);
  const info = pitr.base.item.baseBackup;
  const recover = { source, pitr, wal, at, emit, signal: options.signal };
  return {
    resolved: pitr.resolved,
    item: pitr.item,
    describe: [
      `recover base backup of set ${pitr.base.setId} (finished ${pitr.base.finishedAt.toISOString()}, PostgreSQL ${info.major}, timeline ${info.timeline}) in a throwaway instance, replaying archived WAL to ${at?.toISOString() ?? 'its end'}`,
    ],
    async load({ engine, keys, database, table, smokeChecks }) {
      const problems = await recoverPostgres({ ...recover, keys }, (instance) =>
        copyOutDatabase({ engine, instance, database: engine.database, into: database, table, smokeChecks, at }),
      );
      return { problems };
    },
    async recoverInto(dataDir, keys) {
      await prepareEmptyFolder(dataDir);
      await recoverPostgres({ ...recover, keys, keepDataDir: dataDir }, async () => undefined);
      const pgCtl = path.join(PG_LIB_ROOT, String(info.major), 'bin', 'pg_ctl');
      const start = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', pgCtl] : [pgCtl];
      return [
        `the cluster in ${dataDir} is recovered to ${at?.toISOString() ?? 'the end of the archive'}, promoted and shut down cleanly`,
        `start it with: ${shellJoin([...start, '-D', dataDir, '-l', path.join(dataDir, 'server.log'), 'start'])}`,
        'its own postgresql.conf and postgresql.auto.conf are back as they were in the backup: if it still archives (archive_mode) and is not the replacement of the lost server, add -o "-c archive_mode=off"',
      ];
    },
  };
}

/** --data-dir must be empty (or new): a recovery never mixes with files already there. */
async function prepareEmptyFolder(dataDir: string): Promise<void> {
  if (!path.isAbsolute(dataDir)) throw new DrcError(`--data-dir ${dataDir}: expected an absolute path`, { exitCode: EXIT.critical });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const present = await readdir(dataDir);
  if (present.length) {
    throw new DrcError(`--data-dir ${dataDir} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''})`, {
      exitCode: EXIT.critical,
      hint: 'give an empty or new folder; drc never recovers over existing files',
    });
  }
}

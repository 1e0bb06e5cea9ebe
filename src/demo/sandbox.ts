import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runBackup, type BackupOutcome } from '../backup/run-backup.js';
import { parseConfig, type LoadedConfig } from '../config/load.js';
import type { SourceConfig } from '../config/schema.js';
import { DrcError } from '../errors.js';
import type { Emit } from '../events.js';
import { findMariaDb, startMariaDb, type MariaServer } from './mariadb-server.js';
import { startPgCluster, type PgCluster } from './postgres-cluster.js';
import { sampleDataSql } from './sample-data.js';

export interface Sandbox {
  dir: string;
  configFile: string;
  loaded: LoadedConfig;
  /** The vars the bundled local-data-loss playbook needs in the sandbox. */
  playbookVars: Record<string, string>;
  /** The database behind source app-db: where the disaster strikes. */
  appDb: { dialect: 'mysql' | 'postgres'; drop(table: string): Promise<void> };
  firstBackup: BackupOutcome;
  /** Stops every server it started; removes the folder unless kept. Safe to call twice. */
  stop(options?: { keep?: boolean }): Promise<void>;
}

/**
 * Everything `drc demo` needs, inside one temp folder: a PostgreSQL cluster (and MariaDB when
 * installed) with sample data, a local backup target, a config and state folder, a generated
 * passphrase in a 0600 file, and a first backup. Nothing outside the folder is touched.
 */
export async function createSandbox(emit: Emit): Promise<Sandbox> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drc-demo-'));
  // The postgres user must reach its cluster folder inside; nobody may list the folder.
  await chmod(dir, 0o711);
  const stops: Array<() => Promise<void>> = [];
  // Every caller (normal exit, a signal, an error) waits for the one and only shutdown:
  // a process that exits while a second caller returned early would leave servers running.
  const stopAll = async (options: { keep?: boolean }) => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => {});
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  };
  let stopping: Promise<void> | undefined;
  const stop = (options: { keep?: boolean } = {}): Promise<void> => (stopping ??= stopAll(options));
  try {
    const info = (message: string) => emit({ type: 'log', level: 'info', message });
    info(`demo: sandbox in ${dir}`);
    info('demo: starting a throwaway PostgreSQL cluster…');
    const pg = await startPgCluster(path.join(dir, 'postgres'));
    stops.push(() => pg.stop());
    await pg.psql('postgres', 'CREATE DATABASE askpro_core');
    await pg.psql('askpro_core', sampleDataSql('postgres'));

    let maria: MariaServer | undefined;
    const mariaTools = await findMariaDb();
    if (mariaTools) {
      info('demo: starting a throwaway MariaDB…');
      maria = await startMariaDb(path.join(dir, 'mariadb'), mariaTools);
      stops.push(() => maria!.stop());
      await maria.query(undefined, 'CREATE DATABASE askproai_db');
      await maria.query('askproai_db', sampleDataSql('mysql'));
    } else {
      info('demo: MariaDB is not installed; app-db is a PostgreSQL database instead');
      await pg.psql('postgres', 'CREATE DATABASE askproai_db');
      await pg.psql('askproai_db', sampleDataSql('postgres'));
    }

    const appDir = await writeAppFolder(dir);
    const loaded = await writeConfig(dir, pg, maria, appDir);
    info('demo: taking the first backup…');
    const firstBackup = await runBackup({ config: loaded.config, stateDir: loaded.stateDir, emit });
    if (!firstBackup.setId || firstBackup.exitCode !== 0) throw new DrcError(`demo: the first backup failed (${firstBackup.failedSources.map((f) => `${f.source}: ${f.error}`).join('; ')})`);

    return {
      dir,
      configFile: loaded.origin,
      loaded,
      playbookVars: { app_dir: appDir, db_source: 'app-db', critical_table: 'calls' },
      appDb: maria
        ? { dialect: 'mysql', drop: (table) => maria!.query('askproai_db', `DROP TABLE ${table}`) }
        : { dialect: 'postgres', drop: async (table) => void (await pg.psql('askproai_db', `DROP TABLE ${table}`)) },
      firstBackup,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function writeConfig(dir: string, pg: PgCluster, maria: MariaServer | undefined, appDir: string): Promise<LoadedConfig> {
  const passphraseFile = path.join(dir, 'passphrase');
  await writeFile(passphraseFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  const appDb: SourceConfig = maria ? { name: 'app-db', type: 'mysql', url: maria.url('askproai_db') } : { name: 'app-db', type: 'postgres', url: pg.url('askproai_db') };
  const raw = {
    sources: [appDb, { name: 'core-db', type: 'postgres', url: pg.url('askpro_core') }, { name: 'app', type: 'files', paths: [appDir] }],
    targets: [{ name: 'local', type: 'local', path: path.join(dir, 'backups') }],
    encryption: { passphraseFile },
    retention: { keepLast: 5 },
    objectives: { rto: '2h', rpo: '1h', maxAge: '26h' },
    stateDir: path.join(dir, 'state'),
  };
  const configFile = path.join(dir, 'drc.json');
  await writeFile(configFile, JSON.stringify(raw, null, 2) + '\n', { mode: 0o600 });
  const config = parseConfig(raw, configFile);
  return { config, origin: configFile, stateDir: config.stateDir! };
}

/**
 * A stand-in for the Laravel app the playbook takes offline: an .env and a `php` on the
 * demo's PATH that answers `php artisan down/up/queue:*` the way Laravel does, so the shell
 * steps run for real without PHP installed.
 */
async function writeAppFolder(dir: string): Promise<string> {
  const appDir = path.join(dir, 'app');
  const binDir = path.join(dir, 'bin');
  await mkdir(path.join(appDir, 'storage'), { recursive: true });
  await mkdir(binDir, { recursive: true });
  await writeFile(path.join(appDir, '.env'), 'APP_NAME=AskPro\nAPP_ENV=demo\nDB_CONNECTION=mysql\nDB_DATABASE=askproai_db\n');
  await writeFile(path.join(appDir, 'artisan'), '# Laravel artisan (demo stand-in, run by bin/php)\n');
  await writeFile(
    path.join(binDir, 'php'),
    [
      '#!/bin/sh',
      '# drc demo: answers "php artisan …" like Laravel would; records the state in storage/.',
      'shift',
      'case "$1" in',
      '  down) touch storage/down; echo "   INFO  Application is now in maintenance mode." ;;',
      '  up) rm -f storage/down; echo "   INFO  Application is now live." ;;',
      '  queue:pause) touch storage/queue-paused; echo "   INFO  Queue workers paused." ;;',
      '  queue:resume) rm -f storage/queue-paused; echo "   INFO  Queue workers resumed." ;;',
      '  *) echo "demo php: artisan $1 is not simulated" >&2; exit 1 ;;',
      'esac',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return appDir;
}

/** The demo's bin folder (the `php` stand-in) goes first on PATH for the playbook's shell steps. */
export function demoPath(sandbox: Sandbox): string {
  return `${path.join(sandbox.dir, 'bin')}:${process.env.PATH ?? ''}`;
}

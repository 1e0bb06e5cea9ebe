import type { PostgresSourceConfig } from '../../config/schema.js';
import { parseDbUrl } from '../../config/db-url.js';
import { shellJoin } from '../../trust/shell-quote.js';

/**
 * The exact server settings a pitr source needs, for `drc init` and the README: WAL archiving
 * through `drc wal push`, a bounded archive lag, and a replication line for pg_basebackup.
 * The config file must be readable by the postgres user (it holds no secret); with
 * `recipients` the postgres user needs no secret at all.
 */
export function describePostgresArchiveSetup(source: PostgresSourceConfig, configPath: string, drcBinary = 'drc'): string {
  const user = parseDbUrl(source.url)?.user || 'backup';
  const command = `${shellJoin([drcBinary, '--config', configPath, 'wal', 'push'])} --source ${source.name} %p`;
  const restore = `${shellJoin([drcBinary, '--config', configPath, 'wal', 'fetch'])} --source ${source.name} %f %p`;
  return [
    `Point-in-time recovery for ${source.name}: add to postgresql.conf (then restart PostgreSQL: archive_mode needs it)`,
    '',
    '  wal_level = replica',
    '  archive_mode = on',
    `  archive_command = '${command.replace(/'/g, "''")}'`,
    "  archive_timeout = '60s'        # the longest a quiet server's last changes wait to be archived (the RPO)",
    '',
    `and to pg_hba.conf (pg_basebackup connects for replication as "${user}"; it needs the REPLICATION attribute):`,
    '',
    `  local   replication   ${user}   peer`,
    '',
    `  ALTER ROLE ${user} REPLICATION;`,
    '',
    `The postgres user must be able to read ${configPath} and write the local target folder; with "recipients" it needs no secret.`,
    `A rebuilt server recovers with restore_command = '${restore.replace(/'/g, "''")}' (or: drc restore latest --source ${source.name} --at TIME --data-dir DIR).`,
  ].join('\n');
}

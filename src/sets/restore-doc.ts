import type { Config, SourceConfig } from '../config/schema.js';
import { parseDbUrl, replaceDatabase } from '../config/db-url.js';
import type { Manifest, ManifestItem } from './manifest.js';

/**
 * RESTORE.md: the exact standard-tool commands that restore each item of a set, for the day
 * drc itself is gone. Commands use env var *names* only, never secret values, and are run
 * literally by the tests (bash, from inside the set folder).
 */
export function renderRestoreDoc(manifest: Omit<Manifest, 'finishedAt'>, config: Config): string {
  const passEnv = config.encryption.passphraseEnv ?? 'DRC_PASSPHRASE';
  const lines: string[] = [
    `# Restoring backup set ${manifest.set}`,
    '',
    `Written by drc ${manifest.drcVersion} on ${manifest.host}, started ${manifest.startedAt}.`,
    'Every command below uses only standard tools (sha256sum, gpg, zstd/gzip, pg_restore, mariadb, tar).',
    'Run them from inside this folder (copy it from S3 first with `aws s3 cp --recursive` if needed).',
    '',
    '## 1. Check the files are intact',
    '',
    '```bash',
    'sha256sum -c SHA256SUMS',
    '```',
    '',
    '## 2. Decryption',
    '',
  ];
  if (manifest.encryption.passphrase) {
    lines.push(
      `The items are encrypted with the passphrase kept in \`${passEnv}\` on the backup host. Set it in this shell first:`,
      '',
      '```bash',
      `read -rs ${passEnv} && export ${passEnv}   # type the passphrase, then Enter`,
      '```',
      '',
    );
  }
  if (manifest.encryption.recipients.length) {
    lines.push(
      `The items are also encrypted to these OpenPGP keys: ${manifest.encryption.recipients.join(', ')}.`,
      'With one of their private keys in your keyring, `gpg --decrypt FILE` is enough in the commands below.',
      '',
    );
  }
  lines.push('## 3. Restore each item', '');
  for (const item of manifest.items) {
    const source = config.sources.find((entry) => entry.name === item.source);
    lines.push(`### ${item.source} (${item.type})`, '', ...describeItem(item), '', '```bash', ...restoreCommands(item, source, manifest, passEnv), '```', '');
  }
  return lines.join('\n');
}

function describeItem(item: ManifestItem): string[] {
  const facts = [`File \`${item.file}\`, ${item.plain.bytes} bytes of plain content, sha256 ${item.plain.sha256}.`];
  if (item.tool) facts.push(`Written by ${item.tool}${item.serverVersion ? ` from server ${item.serverVersion}` : ''}.`);
  if (item.tables) facts.push(`${item.tables.length} tables; row counts are in manifest.json.`);
  return facts;
}

export function decryptCommand(item: ManifestItem, manifest: Pick<Manifest, 'encryption'>, passEnv: string): string {
  const gpg = manifest.encryption.passphrase
    ? `gpg --batch --quiet --pinentry-mode loopback --passphrase-fd 3 --decrypt ${item.file} 3<<<"$${passEnv}"`
    : `gpg --batch --quiet --decrypt ${item.file}`;
  const decompress = item.compression === 'zstd' ? 'zstd -d -q -c' : 'gzip -d -c';
  return `${gpg} | ${decompress}`;
}

function restoreCommands(item: ManifestItem, source: SourceConfig | undefined, manifest: Pick<Manifest, 'encryption'>, passEnv: string): string[] {
  const plain = decryptCommand(item, manifest, passEnv);
  const database = item.database ?? item.source;
  const restored = `${database}_restored`;
  if (item.baseBackup) return baseBackupCommands(item, plain);
  switch (item.type) {
    case 'postgres': {
      const url = source?.type === 'postgres' ? source.url : `postgres://localhost/${database}`;
      const adminUrl = replaceDatabase(url, 'postgres');
      const targetUrl = replaceDatabase(url, restored);
      return [
        'set -o pipefail',
        '# PGPASSWORD must hold the password if the server asks for one.',
        `psql --no-psqlrc --quiet --dbname="${adminUrl}" --command='CREATE DATABASE "${restored}"'`,
        `${plain} | pg_restore --exit-on-error --no-owner --dbname="${targetUrl}"`,
      ];
    }
    case 'mysql': {
      const args = source?.type === 'mysql' ? mysqlClientArgs(source.url) : '';
      return [
        'set -o pipefail',
        '# MYSQL_PWD must hold the password if the user has one.',
        `mariadb${args} --execute='CREATE DATABASE \`${restored}\`'`,
        `${plain} | mariadb${args} ${restored}`,
      ];
    }
    case 'files':
      return [
        'set -o pipefail',
        `mkdir -p ${item.source}-restored`,
        `${plain} | tar --extract --preserve-permissions --same-owner --file=- --directory=${item.source}-restored`,
        `# the original paths (${(item.paths ?? []).join(', ')}) are now below ${item.source}-restored/`,
      ];
    default:
      return ['set -o pipefail', `${plain} > ${item.source}.json`, `# ${item.source}.json is the ${item.type} snapshot (JSON)`];
  }
}

/** A physical base backup: unpacked into an empty data directory, then recovered from the WAL archive. */
function baseBackupCommands(item: ManifestItem, plain: string): string[] {
  const base = item.baseBackup!;
  return [
    'set -o pipefail',
    `# pg_basebackup of PostgreSQL ${base.major}, timeline ${base.timeline}, WAL ${base.startWal} … ${base.stopWal} (inside the tar)`,
    `mkdir -m 0700 ${item.source}-pgdata`,
    `${plain} | tar --extract --file=- --directory=${item.source}-pgdata`,
    `# As it is, the copy is consistent as of ${item.finishedAt}. To go further in time, replay the WAL archive`,
    `# (see archive/${item.source}/RESTORE.md on the target): set restore_command and recovery_target_time`,
    `# in ${item.source}-pgdata/postgresql.auto.conf, then:`,
    `touch ${item.source}-pgdata/recovery.signal`,
    `# start it as the postgres user with the same major version: pg_ctl -D ${item.source}-pgdata start`,
  ];
}

function mysqlClientArgs(text: string): string {
  const url = parseDbUrl(text);
  const args: string[] = [];
  const socket = url?.params.get('socket');
  if (socket) args.push(`--socket=${socket}`);
  else if (url?.host) args.push(`--host=${url.host}`);
  if (url?.port) args.push(`--port=${url.port}`);
  if (url?.user) args.push(`--user=${url.user}`);
  return args.length ? ' ' + args.join(' ') : '';
}

import type { Config, SourceConfig } from '../config/schema.js';
import { parseDbUrl, replaceDatabase } from '../config/db-url.js';
import { shellJoin, shellQuote } from '../trust/shell-quote.js';
import type { Manifest, ManifestItem } from './manifest.js';

/**
 * RESTORE.md: the exact standard-tool commands that restore each item of a set, for the day
 * drc itself is gone. Commands use env var *names* only, never secret values, and are run
 * literally by the tests (bash, from inside the set folder). Every name in them (files,
 * databases, URLs, folders) goes through shellQuote: a database called `x'$(rm -rf ~)'` is
 * pasted as data, never run.
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
    '## 1. Check the set is authentic and intact',
    '',
    ...authenticityCheck(config),
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

function authenticityCheck(config: Config): string[] {
  if (config.signing) {
    return [
      'manifest.json is signed by the backup host\'s signing key (`manifest.json.sig`). Save the public key you keep with your',
      'recovery notes (the block `drc init` printed; it is also `signing.publicKey` in the drc config) as `signing-key.pub.asc`,',
      'then check the signature. Only act on the set when gpg says "Good signature" from that key\'s fingerprint:',
      '',
      '```bash',
      'gpg --import signing-key.pub.asc',
      'gpg --verify manifest.json.sig manifest.json',
      '```',
      '',
      'SHA256SUMS is not signed itself; it must list the same sums as the signed manifest (needs `jq`):',
      '',
      '```bash',
      `diff <(jq -r '.items[] | "\\(.sha256)  \\(.file)"' manifest.json | sort) <(sort SHA256SUMS) && echo 'SHA256SUMS matches the signed manifest'`,
      '```',
      '',
    ];
  }
  return [
    'manifest.json is sealed with a MAC keyed from the encryption passphrase (`manifest.json.mac`); `drc verify SET` checks it.',
    'Without drc, the OpenPGP integrity check of each item (gpg fails on any changed byte) is what protects you.',
    '',
  ];
}

function describeItem(item: ManifestItem): string[] {
  const facts = [`File \`${item.file}\`, ${item.plain.bytes} bytes of plain content, sha256 ${item.plain.sha256}.`];
  if (item.tool) facts.push(`Written by ${item.tool}${item.serverVersion ? ` from server ${item.serverVersion}` : ''}.`);
  if (item.tables) facts.push(`${item.tables.length} tables; row counts are in manifest.json.`);
  return facts;
}

export function decryptCommand(item: ManifestItem, manifest: Pick<Manifest, 'encryption'>, passEnv: string): string {
  const gpg = manifest.encryption.passphrase
    ? `gpg --batch --quiet --pinentry-mode loopback --passphrase-fd 3 --decrypt ${shellQuote(item.file)} 3<<<"$${passEnv}"`
    : `gpg --batch --quiet --decrypt ${shellQuote(item.file)}`;
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
        shellJoin(['psql', '--no-psqlrc', '--quiet', `--dbname=${adminUrl}`, `--command=CREATE DATABASE "${restored.replace(/"/g, '""')}"`]),
        `${plain} | ${shellJoin(['pg_restore', '--exit-on-error', '--no-owner', `--dbname=${targetUrl}`])}`,
      ];
    }
    case 'mysql': {
      const args = source?.type === 'mysql' ? mysqlClientArgs(source.url) : [];
      return [
        'set -o pipefail',
        '# MYSQL_PWD must hold the password if the user has one.',
        shellJoin(['mariadb', ...args, `--execute=CREATE DATABASE \`${restored.replace(/`/g, '``')}\``]),
        `${plain} | ${shellJoin(['mariadb', ...args, '--one-database', restored])}`,
      ];
    }
    case 'files':
      return [
        'set -o pipefail',
        shellJoin(['mkdir', '-p', `${item.source}-restored`]),
        `${plain} | ${shellJoin(['tar', '--extract', '--preserve-permissions', '--same-owner', '--file=-', `--directory=${item.source}-restored`])}`,
        `# the original paths (${(item.paths ?? []).join(', ')}) are now below ${item.source}-restored/`,
      ];
    default:
      return ['set -o pipefail', `${plain} > ${shellQuote(`${item.source}.json`)}`, `# ${item.source}.json is the ${item.type} snapshot (JSON)`];
  }
}

/** A physical base backup: unpacked into an empty data directory, then recovered from the WAL archive. */
function baseBackupCommands(item: ManifestItem, plain: string): string[] {
  const base = item.baseBackup!;
  const dataDir = `${item.source}-pgdata`;
  return [
    'set -o pipefail',
    `# pg_basebackup of PostgreSQL ${base.major}, timeline ${base.timeline}, WAL ${base.startWal} … ${base.stopWal} (inside the tar)`,
    shellJoin(['mkdir', '-m', '0700', dataDir]),
    `${plain} | ${shellJoin(['tar', '--extract', '--file=-', `--directory=${dataDir}`])}`,
    `# As it is, the copy is consistent as of ${item.finishedAt}. To go further in time, replay the WAL archive`,
    `# (see archive/${item.source}/RESTORE.md on the target): set restore_command and recovery_target_time`,
    `# in ${dataDir}/postgresql.auto.conf, then:`,
    shellJoin(['touch', `${dataDir}/recovery.signal`]),
    `# start it as the postgres user with the same major version: ${shellJoin(['pg_ctl', '-D', dataDir, 'start'])}`,
  ];
}

function mysqlClientArgs(text: string): string[] {
  const url = parseDbUrl(text);
  const args: string[] = [];
  const socket = url?.params.get('socket');
  if (socket) args.push(`--socket=${socket}`);
  else if (url?.host) args.push(`--host=${url.host}`);
  if (url?.port) args.push(`--port=${url.port}`);
  if (url?.user) args.push(`--user=${url.user}`);
  return args;
}

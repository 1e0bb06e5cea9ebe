import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { DrcError, EXIT, type ExitCode } from '../../errors.js';
import { buildConfig, type InitAnswers } from '../../init/build-config.js';
import { commandAction, type CommandContext } from '../context.js';
import { writeConfig } from '../../init/write-config.js';
import { shellQuote } from '../../trust/shell-quote.js';

interface InitFlags extends Partial<InitAnswers> {
  config?: string;
  force?: boolean;
  from?: string;
  host?: string;
  endpoint?: string;
  region?: string;
  accessKeyEnv?: string;
  secretKeyEnv?: string;
  key?: string;
  trustKey?: string;
  allowUnsigned?: boolean;
  postgres?: string[];
  pitr?: boolean;
  mysql?: string[];
  files?: string[];
  recipient?: string[];
  /** --signing-key FILE, or false for --no-signing-key. */
  signingKey?: string | false;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a config from flags, or by asking at a terminal')
    .option('--postgres <url>', 'a PostgreSQL database to back up (repeatable)', collect)
    .option('--pitr', 'PostgreSQL sources also get point-in-time recovery (base backups + WAL archive); prints the postgresql.conf lines')
    .option('--mysql <url>', 'a MySQL/MariaDB database to back up (repeatable)', collect)
    .option('--files <path>', 'a folder to back up (repeatable)', collect)
    .option('--password-env <name>', 'env var holding the database password')
    .option('--local <path>', 'local backup folder')
    .option('--s3 <s3://bucket/prefix>', 'S3-compatible off-site target')
    .option('--s3-endpoint <url>', 'S3 endpoint (MinIO, Ceph, …)')
    .option('--s3-region <region>', 'S3 region')
    .option('--s3-key-env <name>', 'env var holding the S3 access key id')
    .option('--s3-secret-env <name>', 'env var holding the S3 secret access key')
    .option('--passphrase-env <name>', 'env var holding the encryption passphrase')
    .option('--recipient <file>', 'OpenPGP public key file to encrypt to (repeatable)', collect)
    .option('--state-dir <path>', 'where drc keeps its state (default /var/lib/drc)')
    .option('--signing-key <file>', 'the private key that signs every manifest: created (0600) when missing, reused when there (default: <state-dir>/signing-key.asc)')
    .option('--no-signing-key', 'no signing key: manifests are sealed with a MAC keyed from the passphrase (anyone holding it can forge a set)')
    .option('--force', 'overwrite an existing config')
    .option('--from <url>', 'on a new machine: take the config of the newest set at s3://bucket/prefix or a folder')
    .option('--host <name>', 'with --from: the host whose config to take (when several back up there)')
    .option('--endpoint <url>', 'with --from: S3 endpoint (MinIO, Ceph, …)')
    .option('--region <region>', 'with --from: S3 region')
    .option('--access-key-env <name>', 'with --from: env var holding the S3 access key id (default: the AWS credential chain)')
    .option('--secret-key-env <name>', 'with --from: env var holding the S3 secret access key')
    .option('--key <file>', 'with --from: private key for sets encrypted to public keys (or env DRC_PRIVATE_KEY_FILE)')
    .option('--trust-key <file|fingerprint>', 'with --from: only take a set whose manifest is signed by this key (its public key file or fingerprint)')
    .option('--allow-unsigned', 'with --from: also take a set whose manifest has no seal (written before drc sealed manifests)')
    .action(
      commandAction<InitFlags>(async (context, flags) => {
        const file = context.configPath ?? process.env.DRC_CONFIG;
        if (file && existsSync(file) && !flags.force) throw new DrcError(`${file} exists`, { hint: 'pass --force to overwrite it' });
        if (flags.from) return initFromLocation(context, flags, file);
        const hasFlags = Boolean(flags.postgres || flags.mysql || flags.files || flags.local || flags.s3);
        let answers: InitAnswers;
        if (hasFlags) {
          answers = { ...flags, postgres: flags.postgres ?? [], mysql: flags.mysql ?? [], files: flags.files ?? [], recipient: flags.recipient ?? [] };
        } else if (context.interactive) {
          answers = await askAnswers();
        } else {
          throw new DrcError('drc init: no terminal to ask at and no flags given', {
            hint: 'pass flags, e.g. drc init --postgres URL --local /var/backups/drc --passphrase-env DRC_PASSPHRASE',
          });
        }
        // Loaded on use: zod and the schema here, the conf package only when writing to its store.
        const { parseConfig, DEFAULT_STATE_DIR } = await import('../../config/parse.js');
        if (flags.signingKey !== false) {
          const { ensureSigningKey } = await import('../../trust/signing-key.js');
          const { hostName } = await import('../../sets/set-id.js');
          const keyFile = path.resolve(flags.signingKey ?? path.join(answers.stateDir ?? DEFAULT_STATE_DIR, 'signing-key.asc'));
          const key = await ensureSigningKey(keyFile, hostName());
          answers.signing = { publicKey: key.publicKey, keyFile: key.keyFile };
          process.stderr.write(
            `${key.created ? 'created' : 'using'} signing key ${key.fingerprint} in ${key.keyFile} (0600; it signs every manifest: keep it on this host only).\n` +
              'Its public half is pinned in the config (signing.publicKey); keep a copy with your recovery notes, a new server needs it to trust these backups:\n' +
              key.publicKey,
          );
        }
        const built = buildConfig(answers);
        if (flags.pitr) for (const source of built.sources) if (source.type === 'postgres') source.pitr = true;
        const config = parseConfig(built, 'from drc init');
        const written = await writeConfig(config, file, Boolean(flags.force));
        const { describePostgresArchiveSetup } = await import('../../pitr/postgres/setup-help.js');
        const { isPitrSource } = await import('../../pitr/postgres/schedule.js');
        for (const source of config.sources.filter(isPitrSource)) process.stderr.write(`\n${describePostgresArchiveSetup(source, written)}\n`);
        context.emit({ type: 'result', command: 'init', exitCode: EXIT.ok, summary: `wrote ${written}`, data: { path: written } });
        return EXIT.ok;
      }),
    );
}

/** `drc init --from URL`: the config of the newest complete set found there, repointed at it. */
async function initFromLocation(context: CommandContext, flags: InitFlags, file: string | undefined): Promise<ExitCode> {
  const { initFrom } = await import('../../init/init-from.js');
  const result = await initFrom({
    location: flags.from!,
    host: flags.host,
    endpoint: flags.endpoint,
    region: flags.region,
    accessKeyEnv: flags.accessKeyEnv,
    secretKeyEnv: flags.secretKeyEnv,
    passphraseEnv: flags.passphraseEnv,
    keyFile: flags.key,
    signingKey: flags.trustKey,
    allowUnsigned: flags.allowUnsigned,
    emit: context.emit,
  });
  const written = await writeConfig(result.config, file, Boolean(flags.force));
  for (const note of result.notes) context.emit({ type: 'log', level: 'info', message: note });
  if (result.missingEnv.length) {
    context.emit({
      type: 'log',
      level: 'warn',
      message: `the config names env vars that are not set here: ${result.missingEnv.join(', ')}`,
      hint: `set them before restoring, e.g. read -rs ${result.missingEnv[0]} && export ${result.missingEnv[0]}`,
    });
  }
  const next = `${['drc', ...(file ? ['--config', path.resolve(file)] : []), 'restore', 'latest', '--all'].map(shellQuote).join(' ')}`;
  context.emit({
    type: 'result',
    command: 'init',
    exitCode: EXIT.ok,
    summary: `wrote ${written} from set ${result.setId} (host ${result.host}); next: ${next}`,
    data: { path: written, host: result.host, setId: result.setId, hosts: result.hosts, missingEnv: result.missingEnv },
  });
  return EXIT.ok;
}


async function askAnswers(): Promise<InitAnswers> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const ask = async (question: string, fallback = '') => (await rl.question(`${question}${fallback ? ` [${fallback}]` : ''}: `)).trim() || fallback;
  try {
    const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);
    return {
      postgres: list(await ask('PostgreSQL URLs to back up (postgres://user@/db?host=/run/postgresql), blank for none')),
      mysql: list(await ask('MySQL/MariaDB URLs (mysql://user@localhost/db?socket=/run/mysqld/mysqld.sock), blank for none')),
      files: list(await ask('Folders to back up, blank for none')),
      passwordEnv: (await ask('Env var with the database password, blank for none')) || undefined,
      local: await ask('Local backup folder', '/var/backups/drc'),
      s3: (await ask('S3 target (s3://bucket/prefix), blank for none')) || undefined,
      passphraseEnv: await ask('Env var holding the encryption passphrase', 'DRC_PASSPHRASE'),
      recipient: list(await ask('Public key files to encrypt to as well, blank for none')),
    };
  } finally {
    rl.close();
  }
}

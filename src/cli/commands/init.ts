import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { DrcError, EXIT } from '../../errors.js';
import { buildConfig, type InitAnswers } from '../../init/build-config.js';
import { commandAction } from '../context.js';

interface InitFlags extends Partial<InitAnswers> {
  config?: string;
  force?: boolean;
  postgres?: string[];
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
    .action(
      commandAction<InitFlags>(async (context, flags) => {
        const file = context.configPath ?? process.env.DRC_CONFIG;
        if (file && existsSync(file) && !flags.force) throw new DrcError(`${file} exists`, { hint: 'pass --force to overwrite it' });
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
        const config = parseConfig(buildConfig(answers), 'from drc init');
        if (file) {
          await mkdir(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
          await writeFile(`${file}.tmp`, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
          await rename(`${file}.tmp`, file);
          context.emit({ type: 'result', command: 'init', exitCode: EXIT.ok, summary: `wrote ${path.resolve(file)}`, data: { path: path.resolve(file) } });
        } else {
          const { openConfigStore } = await import('../../config/load.js');
          const store = openConfigStore();
          if (store.has('sources') && !flags.force) throw new DrcError(`the conf store ${store.path} already holds a config`, { hint: 'pass --force to overwrite it' });
          store.store = config as unknown as Record<string, unknown>;
          context.emit({ type: 'result', command: 'init', exitCode: EXIT.ok, summary: `wrote ${store.path}`, data: { path: store.path } });
        }
        return EXIT.ok;
      }),
    );
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

import path from 'node:path';
import { parseDbUrl } from '../config/db-url.js';
import type { Config, SourceConfig, TargetConfig } from '../config/schema.js';
import { DrcError } from '../errors.js';

export interface InitAnswers {
  postgres: string[];
  mysql: string[];
  files: string[];
  passwordEnv?: string;
  local?: string;
  s3?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3KeyEnv?: string;
  s3SecretEnv?: string;
  passphraseEnv?: string;
  recipient: string[];
  stateDir?: string;
  /** The signing key init created or found (see src/trust/signing-key.ts); none: MAC seals only. */
  signing?: { publicKey: string; keyFile: string };
}

/** Builds a config document from init flags or answers; validation happens in parseConfig. */
export function buildConfig(answers: InitAnswers): Config {
  const names = new Set<string>();
  const uniqueName = (base: string) => {
    let name = base.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^-+/, '') || 'source';
    for (let n = 2; names.has(name); n += 1) name = `${base}-${n}`;
    names.add(name);
    return name;
  };
  const databaseName = (url: string) => parseDbUrl(url)?.database || 'db';
  const password = answers.passwordEnv ? { passwordEnv: answers.passwordEnv } : {};
  const sources: SourceConfig[] = [
    ...answers.postgres.map((url) => ({ name: uniqueName(databaseName(url)), type: 'postgres' as const, url, ...password })),
    ...answers.mysql.map((url) => ({ name: uniqueName(databaseName(url)), type: 'mysql' as const, url, ...password })),
    ...answers.files.map((dir) => ({ name: uniqueName(path.basename(dir) || 'files'), type: 'files' as const, paths: [path.resolve(dir)] })),
  ];
  const targets: TargetConfig[] = [];
  if (answers.local) targets.push({ name: 'local', type: 'local', path: path.resolve(answers.local) });
  if (answers.s3) {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(answers.s3);
    if (!match) throw new DrcError(`--s3: expected s3://bucket/prefix, got "${answers.s3}"`);
    targets.push({
      name: 'offsite',
      type: 's3',
      bucket: match[1]!,
      ...(match[2] ? { prefix: match[2].replace(/\/$/, '') } : {}),
      ...(answers.s3Region ? { region: answers.s3Region } : {}),
      ...(answers.s3Endpoint ? { endpoint: answers.s3Endpoint } : {}),
      ...(answers.s3KeyEnv ? { accessKeyIdEnv: answers.s3KeyEnv } : {}),
      ...(answers.s3SecretEnv ? { secretAccessKeyEnv: answers.s3SecretEnv } : {}),
    });
  }
  return {
    sources,
    targets,
    encryption: {
      ...(answers.passphraseEnv ? { passphraseEnv: answers.passphraseEnv } : {}),
      ...(answers.recipient.length ? { recipients: answers.recipient.map((file) => path.resolve(file)) } : {}),
    },
    ...(answers.signing ? { signing: answers.signing } : {}),
    retention: { keepLast: 3, daily: 14, weekly: 4, monthly: 3 },
    objectives: { rto: '2h', rpo: '26h', maxAge: '26h' },
    playbooks: [],
    ...(answers.stateDir ? { stateDir: path.resolve(answers.stateDir) } : {}),
  } as Config;
}

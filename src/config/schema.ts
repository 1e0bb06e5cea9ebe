import { z } from 'zod';
import { parseDuration } from '../util/duration.js';
import { parseDbUrl } from './db-url.js';

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/i, 'expected letters, digits, "-" or "_" (it becomes a file name)');

const duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  message: 'expected a duration such as "90s", "30m", "2h", "1d"',
});

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

/** A URL whose password would end up in the config file: refused, secrets live in env or files. */
function withoutPassword(schemes: string[]) {
  return z.string().superRefine((text, ctx) => {
    const url = parseDbUrl(text);
    if (!url || !schemes.includes(`${url.scheme}://`)) {
      ctx.addIssue({ code: 'custom', message: `expected ${schemes.join(' or ')}` });
      return;
    }
    if (url.password || url.params.has('password') || url.params.has('pass')) {
      ctx.addIssue({
        code: 'custom',
        message: 'contains a password; remove it and name an env var in "passwordEnv" (or a file in "passwordFile")',
      });
    }
    if (!url.database) {
      ctx.addIssue({ code: 'custom', message: 'names no database (expected …/dbname)' });
    }
  });
}

/** A smoke check run against a restored copy before it may replace the live database. */
const smokeCheck = z.object({
  name: z.string().optional(),
  sql: z.string(),
  /** Expected value of the first column of the first row; default: the query returns a row. */
  expect: z.union([z.string(), z.number(), z.boolean()]).optional(),
});

const databaseFields = {
  name,
  passwordEnv: envName.optional(),
  passwordFile: z.string().optional(),
  checks: z.array(smokeCheck).optional(),
};

export const postgresSourceSchema = z.strictObject({
  ...databaseFields,
  type: z.literal('postgres'),
  url: withoutPassword(['postgres://', 'postgresql://']),
  /** Point-in-time recovery: physical base backups on their own schedule plus the WAL archive (drc wal push). */
  pitr: z.boolean().optional(),
  /** A backup takes a new base backup once the newest one is older than this (default 7d). */
  baseBackupEvery: duration.optional(),
});

export const mysqlSourceSchema = z.strictObject({
  ...databaseFields,
  type: z.literal('mysql'),
  url: withoutPassword(['mysql://', 'mariadb://']),
});

export const filesSourceSchema = z.strictObject({
  name,
  type: z.literal('files'),
  paths: z.array(z.string().startsWith('/', 'expected an absolute path')).min(1),
  exclude: z.array(z.string()).optional(),
});

const serviceFields = {
  name,
  apiKeyEnv: envName.optional(),
  apiKeyFile: z.string().optional(),
  baseUrl: z.url().optional(),
};

export const calcomSourceSchema = z.strictObject({
  ...serviceFields,
  type: z.literal('calcom'),
  /** How many days of past bookings the archive keeps (future ones are always kept). */
  bookingsDays: z.number().int().positive().optional(),
  /** drc's request budget for this key (default 100; Cal.com allows 120 per minute, self-hosted may differ). */
  requestsPerMinute: z.number().int().positive().optional(),
});

export const retellSourceSchema = z.strictObject({
  ...serviceFields,
  type: z.literal('retell'),
  /** Recording URLs are signed and expire; keep them only when asked. */
  recordings: z.boolean().optional(),
  callsDays: z.number().int().positive().optional(),
});

export const sourceSchema = z.discriminatedUnion('type', [
  postgresSourceSchema,
  mysqlSourceSchema,
  filesSourceSchema,
  calcomSourceSchema,
  retellSourceSchema,
]);

export const localTargetSchema = z.strictObject({
  name,
  type: z.literal('local'),
  path: z.string().startsWith('/', 'expected an absolute path'),
});

export const s3TargetSchema = z.strictObject({
  name,
  type: z.literal('s3'),
  bucket: z.string().min(3),
  prefix: z.string().optional(),
  region: z.string().optional(),
  endpoint: z.url().optional(),
  /** Path-style addressing; default true when an endpoint is given (MinIO, s3rver, Ceph, …). */
  forcePathStyle: z.boolean().optional(),
  accessKeyIdEnv: envName.optional(),
  accessKeyIdFile: z.string().optional(),
  secretAccessKeyEnv: envName.optional(),
  secretAccessKeyFile: z.string().optional(),
});

export const targetSchema = z.discriminatedUnion('type', [localTargetSchema, s3TargetSchema]);

export const encryptionSchema = z
  .strictObject({
    passphraseEnv: envName.optional(),
    passphraseFile: z.string().optional(),
    recipients: z.array(z.string()).min(1).optional(),
  })
  .refine((e) => e.passphraseEnv || e.passphraseFile || e.recipients, {
    message: 'expected "passphraseEnv", "passphraseFile" or "recipients" (public key files)',
  });

/**
 * The key that seals manifests and archive indexes (src/trust/authenticate.ts). The public half
 * is pinned here, in the config, so a set's own files can never vouch for themselves; the
 * private half stays in keyFile (0600), needed only where backups are written.
 */
export const signingSchema = z.strictObject({
  publicKey: z.string().includes('-----BEGIN PGP PUBLIC KEY BLOCK-----', { message: 'expected an armored OpenPGP public key block' }),
  keyFile: z.string().startsWith('/', 'expected an absolute path').optional(),
});

export const retentionSchema = z.strictObject({
  keepLast: z.number().int().min(1).optional(),
  hourly: z.number().int().min(0).optional(),
  daily: z.number().int().min(0).optional(),
  weekly: z.number().int().min(0).optional(),
  monthly: z.number().int().min(0).optional(),
  yearly: z.number().int().min(0).optional(),
  /** Prune right after every successful backup. */
  afterBackup: z.boolean().optional(),
});

export const objectivesSchema = z.strictObject({
  rto: duration.optional(),
  rpo: duration.optional(),
  maxAge: duration.optional(),
  /** `drc status` warns when the newest restore drill is older than this (default 35d). */
  drillMaxAge: duration.optional(),
  /** `drc status` warns when the newest passed verification is older than this (default: not checked). */
  verifyMaxAge: duration.optional(),
});

/** What a notification is about; `on` narrows a channel to some of them (default: all). */
export const notifyKinds = ['backup', 'verify', 'drill', 'status'] as const;
const notifyOn = z.array(z.enum(notifyKinds)).min(1).optional();

export const notifySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('slack'), urlEnv: envName.optional(), urlFile: z.string().optional(), on: notifyOn }),
  z.strictObject({ type: z.literal('webhook'), urlEnv: envName.optional(), urlFile: z.string().optional(), on: notifyOn }),
  z.strictObject({
    type: z.literal('email'),
    to: z.array(z.string()).min(1),
    from: z.string(),
    smtpUrlEnv: envName.optional(),
    smtpUrlFile: z.string().optional(),
    on: notifyOn,
  }),
  /** Dead-man's switch: pinged at start, success and failure of the jobs in `on` (default: backup). */
  z.strictObject({ type: z.literal('healthchecks'), urlEnv: envName.optional(), urlFile: z.string().optional(), on: notifyOn }),
]);

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    sources: z.array(sourceSchema).min(1),
    targets: z.array(targetSchema).min(1),
    encryption: encryptionSchema,
    signing: signingSchema.optional(),
    retention: retentionSchema.optional(),
    objectives: objectivesSchema.optional(),
    notify: z.array(notifySchema).optional(),
    playbooks: z.array(z.string()).optional(),
    stateDir: z.string().startsWith('/', 'expected an absolute path').optional(),
    /** Compression level handed to zstd (1–19) or gzip (1–9). */
    compressionLevel: z.number().int().min(1).max(19).optional(),
  })
  .superRefine((config, ctx) => {
    for (const [key, list] of [
      ['sources', config.sources],
      ['targets', config.targets],
    ] as const) {
      const seen = new Set<string>();
      list.forEach((entry, index) => {
        if (seen.has(entry.name)) {
          ctx.addIssue({ code: 'custom', path: [key, index, 'name'], message: `duplicate name "${entry.name}"` });
        }
        seen.add(entry.name);
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type PostgresSourceConfig = z.infer<typeof postgresSourceSchema>;
export type MysqlSourceConfig = z.infer<typeof mysqlSourceSchema>;
export type FilesSourceConfig = z.infer<typeof filesSourceSchema>;
export type CalcomSourceConfig = z.infer<typeof calcomSourceSchema>;
export type RetellSourceConfig = z.infer<typeof retellSourceSchema>;
export type TargetConfig = z.infer<typeof targetSchema>;
export type LocalTargetConfig = z.infer<typeof localTargetSchema>;
export type S3TargetConfig = z.infer<typeof s3TargetSchema>;
export type EncryptionConfig = z.infer<typeof encryptionSchema>;
export type SigningConfig = z.infer<typeof signingSchema>;
export type RetentionConfig = z.infer<typeof retentionSchema>;
export type NotifyConfig = z.infer<typeof notifySchema>;
export type NotifyKind = (typeof notifyKinds)[number];
export type ObjectivesConfig = z.infer<typeof objectivesSchema>;

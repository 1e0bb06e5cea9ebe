import { S3Client } from '@aws-sdk/client-s3';
import type { S3TargetConfig } from '../config/schema.js';
import { resolveSecret, type SecretRef } from '../config/secrets.js';
import { DrcError } from '../errors.js';

/** Long enough for a slow link to open a connection, short enough that a dead endpoint fails fast. */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * A socket with no traffic for this long is given up. Not a limit on the whole request: a
 * 100 MiB part on a slow uplink may take minutes, and a restore may pause a download while
 * the database catches up.
 */
const IDLE_TIMEOUT_MS = 120_000;

/**
 * The SDK client for one target. Checksums only where S3 requires them: S3-compatible servers
 * (s3rver, older MinIO and Ceph) otherwise store the aws-chunked framing of streamed uploads
 * inside the object. drc verifies content with its own SHA-256 sums anyway.
 */
export function createS3Client(config: S3TargetConfig): S3Client {
  // The SDK warns on Node 20 that its future releases will need Node 22. drc runs from cron,
  // where any stderr becomes mail; that notice is for drc's maintainers, not the operator.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: config.region ?? 'us-east-1',
    // Without an explicit region, AWS answers for a bucket elsewhere with a redirect.
    followRegionRedirects: true,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? Boolean(config.endpoint),
    ...(hasCredentialRefs(config) ? { credentials: () => Promise.resolve(resolveCredentials(config)) } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: IDLE_TIMEOUT_MS },
  });
}

/** Where the credentials come from, for messages; names only, never values. */
export function describeCredentialSource(config: S3TargetConfig): string {
  if (!hasCredentialRefs(config)) return 'the AWS default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws, instance role';
  return `${describeRef(accessKeyRef(config))} and ${describeRef(secretKeyRef(config))}`;
}

function hasCredentialRefs(config: S3TargetConfig): boolean {
  return Boolean(config.accessKeyIdEnv || config.accessKeyIdFile || config.secretAccessKeyEnv || config.secretAccessKeyFile);
}

/** Read when a request is signed, not when the config loads: a command that never touches this target needs no keys. */
function resolveCredentials(config: S3TargetConfig): { accessKeyId: string; secretAccessKey: string } {
  const keyRef = accessKeyRef(config);
  const secretRef = secretKeyRef(config);
  for (const [ref, half, other] of [
    [keyRef, 'accessKeyIdEnv or accessKeyIdFile', 'secretAccessKey'],
    [secretRef, 'secretAccessKeyEnv or secretAccessKeyFile', 'accessKeyId'],
  ] as const) {
    if (!ref.env && !ref.file) {
      throw new DrcError(`target ${config.name}: ${other} is configured but ${half} is not`, {
        hint: `add ${half} to targets[] for "${config.name}", or remove both to use the AWS default credential chain`,
      });
    }
  }
  return {
    accessKeyId: resolveSecret(keyRef, `target ${config.name} access key id`),
    secretAccessKey: resolveSecret(secretRef, `target ${config.name} secret access key`),
  };
}

function accessKeyRef(config: S3TargetConfig): SecretRef {
  return { env: config.accessKeyIdEnv, file: config.accessKeyIdFile };
}

function secretKeyRef(config: S3TargetConfig): SecretRef {
  return { env: config.secretAccessKeyEnv, file: config.secretAccessKeyFile };
}

function describeRef(ref: SecretRef): string {
  if (ref.env) return `env ${ref.env}`;
  if (ref.file) return `file ${ref.file}`;
  return 'nothing';
}

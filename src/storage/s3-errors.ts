import { redact } from '../config/secrets.js';
import { DrcError } from '../errors.js';

/** Which target, bucket and endpoint a failed call was talking to, for the message. */
export interface S3Place {
  target: string;
  bucket: string;
  /** The configured endpoint, or "AWS S3 (<region>)". */
  endpoint: string;
  /** The config keys that name the credentials, e.g. "env S3_KEY / S3_SECRET" (never values). */
  credentialsFrom: string;
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  errors?: SdkError[];
  $metadata?: { httpStatusCode?: number };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);
const DENIED_NAMES = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden', 'ExpiredToken']);

/**
 * Turns whatever the AWS SDK threw into a DrcError that names the target, the bucket and the
 * endpoint, says what went wrong in the operator's terms and how to fix it. `action` says what
 * drc was doing ("writing s3://bucket/prod/set/app-db.sql.zst.gpg"). Everything is redacted:
 * SDK messages can quote request details. The SDK error is not kept as the cause: it carries
 * the raw response (an InvalidAccessKeyId answer quotes the key id) into anything that logs it.
 */
export function describeS3Error(place: S3Place, action: string, error: unknown): DrcError {
  if (error instanceof DrcError) return error;
  const sdk = (error ?? {}) as SdkError;
  const status = sdk.$metadata?.httpStatusCode;
  const networkCode = findNetworkCode(sdk);
  const where = `s3://${place.bucket} at ${place.endpoint}`;

  let message: string;
  let hint: string;
  if (networkCode || sdk.name === 'TimeoutError') {
    message = `cannot reach ${where}: ${describeNetworkError(sdk)}`;
    hint = 'check targets[].endpoint and the network (firewall, DNS, TLS), or the bucket name and credentials';
  } else if (sdk.name === 'NoSuchBucket') {
    return describeMissingBucket(place);
  } else if (sdk.name === 'CredentialsProviderError') {
    message = `no credentials for ${where}: ${sdk.message ?? 'none found'}`;
    hint = 'name them in targets[].accessKeyIdEnv and secretAccessKeyEnv (or …File), or set up the AWS default chain';
  } else if (DENIED_NAMES.has(sdk.name ?? '') || status === 403) {
    message = `access to ${where} was denied (${sdk.name ?? status})`;
    hint = `check the credentials (${place.credentialsFrom}; values are never shown) and the bucket policy`;
  } else {
    message = `${action} failed at ${place.endpoint}: ${sdk.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${sdk.message || 'no details'}`;
    hint = 'check the endpoint, bucket and credentials; run `drc status` to test the target';
  }
  return new DrcError(redact(`target ${place.target}: ${message}`), { hint });
}

/** HeadBucket answers a missing bucket with a bare 404, so the caller says which it was. */
export function describeMissingBucket(place: S3Place): DrcError {
  return new DrcError(`target ${place.target}: bucket "${place.bucket}" does not exist at ${place.endpoint}`, {
    hint: 'create the bucket, or fix targets[].bucket (and targets[].region or endpoint)',
  });
}

/** True for "the object is not there" answers (GetObject, HeadObject). */
export function isS3NotFound(error: unknown): boolean {
  const sdk = (error ?? {}) as SdkError;
  return sdk.name === 'NoSuchKey' || sdk.name === 'NotFound' || (sdk.name !== 'NoSuchBucket' && sdk.$metadata?.httpStatusCode === 404);
}

function findNetworkCode(error: SdkError): string | undefined {
  if (error.code && NETWORK_CODES.has(error.code)) return error.code;
  // Node's happy-eyeballs connect (localhost → ::1 and 127.0.0.1) throws an AggregateError.
  return error.errors?.map(findNetworkCode).find(Boolean);
}

function describeNetworkError(error: SdkError): string {
  if (error.message) return error.code && !error.message.includes(error.code) ? `${error.message} (${error.code})` : error.message;
  const inner = error.errors?.map((e) => e.message).filter(Boolean) ?? [];
  return inner.length ? inner.join('; ') : (error.code ?? 'network error');
}

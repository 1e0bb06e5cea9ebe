import type { CalcomSourceConfig, RetellSourceConfig } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import type { ClientWait } from './http.js';
import type { RateBudget } from './rate-budget.js';

export type ServiceSourceConfig = CalcomSourceConfig | RetellSourceConfig;

/** The env var a service source reads when the config names neither apiKeyEnv nor apiKeyFile. */
export const DEFAULT_KEY_ENV = { calcom: 'CALCOM_API_KEY', retell: 'RETELL_API_KEY' } as const;

export interface ServiceKey {
  apiKey: string;
  /** Where it comes from, for messages: "env var CALCOM_API_KEY" or "file /etc/drc/calcom.key". */
  keyOrigin: string;
}

/** Reads the API key at the moment it is needed; resolveSecret registers it for redaction. */
export function resolveServiceKey(config: ServiceSourceConfig): ServiceKey {
  const env = config.apiKeyEnv ?? (config.apiKeyFile ? undefined : DEFAULT_KEY_ENV[config.type]);
  const apiKey = resolveSecret({ env, file: config.apiKeyFile }, `source ${config.name} API key`);
  const keyOrigin = env && process.env[env] ? `env var ${env}` : `file ${config.apiKeyFile}`;
  return { apiKey, keyOrigin };
}

/**
 * Client knobs tests turn down (backoff, rate-limit block, budget) and callers pass on (abort
 * signal, progress while waiting). The defaults are the services' real limits.
 */
export interface ClientTuning {
  timeoutMs?: number;
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  rateLimitBlockMs?: number;
  rateLimitRetries?: number;
  maxRateLimitWaitMs?: number;
  /** Replaces the per-key budget (Cal.com: 100 requests per minute). */
  budget?: RateBudget;
  onWait?: (wait: ClientWait) => void;
  signal?: AbortSignal;
}

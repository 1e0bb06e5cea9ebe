import type { RetellSourceConfig } from '../config/schema.js';
import { createServiceBackupSource } from '../services/backup-source.js';
import type { BackupSource } from './types.js';

/** Retell AI state (agents and versions, LLMs, knowledge bases, numbers, calls) as one JSON item. */
export function createRetellSource(config: RetellSourceConfig): BackupSource {
  return createServiceBackupSource(config);
}

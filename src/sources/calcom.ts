import type { CalcomSourceConfig } from '../config/schema.js';
import { createServiceBackupSource } from '../services/backup-source.js';
import type { BackupSource } from './types.js';

/** Cal.com state (profile, schedules, event types, webhooks, teams, bookings) as one JSON item. */
export function createCalcomSource(config: CalcomSourceConfig): BackupSource {
  return createServiceBackupSource(config);
}

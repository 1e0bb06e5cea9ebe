import type { SourceConfig } from '../config/schema.js';
import { createFilesSource } from './files.js';
import { createMysqlSource } from './mysql.js';
import { createPostgresSource } from './postgres.js';
import type { BackupSource } from './types.js';

/** The backup source for one configured source; SaaS sources load their clients lazily. */
export async function createSource(config: SourceConfig): Promise<BackupSource> {
  switch (config.type) {
    case 'postgres':
      return createPostgresSource(config);
    case 'mysql':
      return createMysqlSource(config);
    case 'files':
      return createFilesSource(config);
    case 'calcom':
      return (await import('./calcom.js')).createCalcomSource(config);
    case 'retell':
      return (await import('./retell.js')).createRetellSource(config);
  }
}

import type { SourceConfig } from '../config/schema.js';
import type { BackupSource } from './types.js';

/** The backup source for one configured source; each kind loads its driver only when configured. */
export async function createSource(config: SourceConfig): Promise<BackupSource> {
  switch (config.type) {
    case 'postgres':
      return (await import('./postgres.js')).createPostgresSource(config);
    case 'mysql':
      return (await import('./mysql.js')).createMysqlSource(config);
    case 'files':
      return (await import('./files.js')).createFilesSource(config);
    case 'calcom':
      return (await import('./calcom.js')).createCalcomSource(config);
    case 'retell':
      return (await import('./retell.js')).createRetellSource(config);
  }
}

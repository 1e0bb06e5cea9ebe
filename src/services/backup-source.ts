import { Readable } from 'node:stream';
import { DrcError } from '../errors.js';
import type { BackupSource, DumpMetadata, SourceDump } from '../sources/types.js';
import { countSnapshot, openSyncService } from './service.js';
import type { ServiceSourceConfig } from './service-key.js';

const SERVER_VERSION = { calcom: 'cal.com api v2', retell: 'retell api' } as const;

/**
 * A SaaS source as a backup source: the snapshot is fetched whole when the dump opens (it is
 * small next to a database) and streamed to the pipeline as one JSON document.
 */
export function createServiceBackupSource(config: ServiceSourceConfig): BackupSource {
  return {
    name: config.name,
    type: config.type,
    extension: 'json',
    async open(signal): Promise<SourceDump> {
      const warnings: string[] = [];
      const snapshot = await openSyncService(config, { signal }).snapshot((message) => warnings.push(message));
      const document = Buffer.from(JSON.stringify(snapshot, null, 2) + '\n');
      const stream = Readable.from([document]);
      return {
        stream,
        async finish(observed): Promise<DumpMetadata> {
          if (observed.bytes !== document.length) {
            throw new DrcError(`source ${config.name}: the pipeline saw ${observed.bytes} of ${document.length} snapshot bytes`);
          }
          return { counts: countSnapshot(snapshot), serverVersion: SERVER_VERSION[config.type], ...(warnings.length > 0 ? { warnings } : {}) };
        },
        abort() {
          stream.destroy();
        },
      };
    },
  };
}

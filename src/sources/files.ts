import { execa } from 'execa';
import type { FilesSourceConfig } from '../config/schema.js';
import { DrcError, errorMessage } from '../errors.js';
import { stderrTail, toolVersion } from './tools.js';
import type { BackupSource, DumpMetadata, SourceDump } from './types.js';
import { childEnvOptions } from '../trust/child-env.js';

/** A tar archive ends with two 512-byte zero blocks; a stream without them was cut short. */
const END_OF_ARCHIVE = 1024;

/** Archive member paths are relative to / (tar's own convention), so they restore anywhere. */
export function tarArguments(config: FilesSourceConfig): string[] {
  return [
    '--create',
    '--file=-',
    '--directory=/',
    '--sparse',
    ...(config.exclude ?? []).map((pattern) => `--exclude=${pattern}`),
    '--',
    ...config.paths.map((entry) => entry.replace(/^\/+/, '') || '.'),
  ];
}

export function createFilesSource(config: FilesSourceConfig): BackupSource {
  return {
    name: config.name,
    type: 'files',
    extension: 'tar',
    open: async (signal): Promise<SourceDump> => {
      const child = execa('tar', tarArguments(config), {
        ...childEnvOptions(),
        stdin: 'ignore',
        buffer: { stdout: false, stderr: true },
        cancelSignal: signal,
        reject: false,
      });
      return {
        stream: child.stdout!,
        async finish(observed): Promise<DumpMetadata> {
          const result = await child;
          const stderr = stderrTail(result.stderr);
          // GNU tar: 1 = some files changed while being read (archive usable), 2 = fatal.
          if (result.exitCode !== 0 && result.exitCode !== 1) {
            throw new DrcError(`source ${config.name}: tar failed: ${stderr || errorMessage(result)}`, {
              hint: 'check that every path exists and is readable by the user running drc',
            });
          }
          const tail = observed.tail.subarray(-END_OF_ARCHIVE);
          if (observed.bytes < END_OF_ARCHIVE || tail.some((byte) => byte !== 0)) {
            throw new DrcError(`source ${config.name}: tar exited ${result.exitCode} but the archive has no end marker: it is truncated`);
          }
          return {
            tool: await toolVersion('tar'),
            paths: config.paths,
            ...(result.exitCode === 1 ? { warnings: [`tar: ${stderr || 'some files changed while being archived'}`] } : {}),
          };
        },
        abort() {
          child.kill();
        },
      };
    },
  };
}

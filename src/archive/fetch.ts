import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { EncryptionConfig } from '../config/schema.js';
import { DrcError, errorMessage } from '../errors.js';
import { loadDecryptionKeys, type DecryptionKeys } from '../restore/decrypt.js';
import { DamagedCopyError, openItemPlain } from '../restore/item-reader.js';
import type { Target } from '../storage/types.js';
import type { ArchiveEntry } from './entry.js';
import type { TimelineFile } from './timeline.js';

/** The keys that open archived files encrypted the way `entry` says (passphrase and/or private key). */
export function loadArchiveKeys(encryption: EncryptionConfig, entry: ArchiveEntry, keyFile?: string): Promise<DecryptionKeys> {
  return loadDecryptionKeys(
    encryption,
    { set: `archive/${entry.source}`, encryption: { passphrase: entry.encryptedTo.passphrase, recipients: entry.encryptedTo.recipients, cipher: 'AES-256' } },
    keyFile,
  );
}

/**
 * Writes one archived file's plain bytes to `dest` (0600), checked on the way: stored sha256
 * and size against the index entry, then the plain sha256 and size. A damaged copy is
 * skipped for the next target that holds the file; `dest` exists only when a copy passed.
 */
export async function fetchArchivedFile(options: { targets: Target[]; file: TimelineFile; keys: DecryptionKeys; dest: string; signal?: AbortSignal }): Promise<string> {
  const { entry } = options.file;
  const holders = options.targets.filter((target) => options.file.targets.includes(target.name));
  const failures: string[] = [];
  for (const target of holders) {
    const stored = `${entry.source}/${entry.file}`;
    try {
      const plain = await openItemPlain({
        target,
        setId: '',
        item: entry,
        keys: options.keys,
        open: { read: () => target.openArchiveRead(stored), where: `${target.name}:${target.describeArchiveFile(stored)}` },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      await pipeline(plain, createWriteStream(options.dest, { mode: 0o600 }), ...(options.signal ? [{ signal: options.signal }] : []));
      return target.name;
    } catch (error) {
      await unlink(options.dest).catch(() => {});
      if (!(error instanceof DamagedCopyError)) throw error;
      failures.push(errorMessage(error));
    }
  }
  throw new DrcError(`archive ${entry.source}/${entry.name}: no good copy (${failures.join('; ') || 'no target holds it'})`, {
    hint: 'run "drc verify" to check the archive on every target',
  });
}

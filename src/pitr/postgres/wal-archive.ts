import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config, PostgresSourceConfig } from '../../config/schema.js';
import { DrcError, EXIT, errorMessage } from '../../errors.js';
import type { Emit } from '../../events.js';
import { fetchArchivedFile, loadArchiveKeys } from '../../archive/fetch.js';
import { pushArchiveFile, readEntry, type PushOutcome } from '../../archive/push.js';
import { planReplay, type StopPoint } from '../../archive/replay-plan.js';
import { loadArchiveTimeline, type TimelineFile } from '../../archive/timeline.js';
import type { ArchiveEntry } from '../../archive/entry.js';
import { chooseCompression } from '../../pipeline/compress.js';
import { loadEncryption, type EncryptionSettings } from '../../pipeline/encryption.js';
import { tryResolveSecret } from '../../config/secrets.js';
import type { DecryptionKeys } from '../../restore/decrypt.js';
import { openItemPlain } from '../../restore/item-reader.js';
import type { Target } from '../../storage/types.js';
import type { WalArchiveView } from './restore-at.js';
import type { FoundBaseBackup } from './schedule.js';
import { isPitrSource, listBaseBackups } from './schedule.js';
import type { CatalogEntry } from '../../sets/catalog.js';
import { timelineHex, walFileKind, walTimeline } from './wal-names.js';

/** `<timeline>/<file>`: every WAL file lives in its timeline's folder (a .history file in the one it starts). */
export function walArchiveName(file: string): string {
  const kind = walFileKind(file);
  if (!kind) {
    throw new DrcError(`"${file}" is not a PostgreSQL WAL file name`, {
      exitCode: EXIT.critical,
      hint: 'archive_command passes %p (its path) to "drc wal push", restore_command passes %f and %p to "drc wal fetch"',
    });
  }
  return `${timelineHex(walTimeline(file))}/${file}`;
}

/** The pitr source a wal command acts for: the named one, or the only one configured. */
export function findWalSource(config: Config, name: string | undefined): PostgresSourceConfig {
  const candidates = config.sources.filter(isPitrSource);
  const found = name ? candidates.find((source) => source.name === name) : candidates.length === 1 ? candidates[0] : undefined;
  if (found) return found;
  if (name) {
    throw new DrcError(`source "${name}" is not a PostgreSQL source with "pitr": true`, {
      hint: `pitr sources in the config: ${candidates.map((source) => source.name).join(', ') || 'none'}`,
    });
  }
  throw new DrcError(candidates.length ? `several pitr sources (${candidates.map((source) => source.name).join(', ')}): name one with --source` : 'no PostgreSQL source has "pitr": true in the config', {
    hint: 'set "pitr": true on the PostgreSQL source whose server runs this archive_command',
  });
}

/**
 * archive_command: one WAL file (or .history/.backup file) through the set pipeline to every
 * target. Resolves only when every target holds it durably (fsynced, or S3-acknowledged);
 * anything less throws, so PostgreSQL keeps the file and retries. An identical file already
 * archived is success; a different file under the same name is a loud failure (exit 2).
 */
export async function pushWalFile(options: { config: Config; source: PostgresSourceConfig; targets: Target[]; filePath: string; emit: Emit; signal?: AbortSignal }): Promise<PushOutcome> {
  const file = path.basename(options.filePath);
  const name = walArchiveName(file);
  const info = await stat(options.filePath).catch((error: unknown) => {
    throw new DrcError(`cannot read ${options.filePath} (${errorMessage(error)})`, { hint: 'archive_command runs in the data directory: pass %p exactly' });
  });
  // The last write to a finished segment: every record in it is older.
  const lastEventAt = info.mtime.toISOString();
  const outcome = await pushArchiveFile({
    source: options.source.name,
    kind: 'postgres-wal',
    name,
    path: options.filePath,
    facts: { lastEventAt, postgres: { timeline: timelineHex(walTimeline(file)), segment: file } },
    targets: options.targets,
    compression: chooseCompression(options.config.compressionLevel),
    encryption: await loadWalEncryption(options.config),
    emit: options.emit,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (outcome.failedTargets.length) {
    throw new DrcError(`${file}: not on every target (${outcome.failedTargets.map((failure) => `${failure.target}: ${failure.error}`).join('; ')})`, {
      exitCode: EXIT.critical,
      hint: 'PostgreSQL keeps the file and runs archive_command again; the targets that have it are not written twice',
    });
  }
  return outcome;
}

/**
 * With recipients configured, archive_command needs no secret: the postgres user encrypts to the
 * public keys alone when the passphrase is not in its environment (restores then need the
 * private key). Without recipients the passphrase is required, as for a backup.
 */
async function loadWalEncryption(config: Config): Promise<EncryptionSettings> {
  const { passphraseEnv, passphraseFile, recipients } = config.encryption;
  if (!recipients?.length) return loadEncryption(config.encryption);
  const passphrase = passphraseEnv || passphraseFile ? tryResolveSecret({ env: passphraseEnv, file: passphraseFile }, 'encryption passphrase') : undefined;
  return loadEncryption({ recipients, ...(passphrase ? { passphraseEnv, passphraseFile } : {}) });
}

/** The file's index entry and which targets hold it; undefined when no target does. */
async function findArchived(targets: Target[], source: string, name: string): Promise<TimelineFile | undefined> {
  let found: TimelineFile | undefined;
  for (const target of targets) {
    const entry = await readEntry(target, source, name).catch(() => undefined);
    if (!entry) continue;
    if (!found) found = { entry, place: undefined, targets: [target.name] };
    else if (found.entry.plain.sha256 === entry.plain.sha256) found.targets.push(target.name);
  }
  return found;
}

/** Keys per encryption the entries name (a key change over time means several). */
function keyCache(config: Config, keyFile: string | undefined): (entry: ArchiveEntry) => Promise<DecryptionKeys> {
  const cache = new Map<string, Promise<DecryptionKeys>>();
  return (entry) => {
    const key = JSON.stringify(entry.encryptedTo);
    if (!cache.has(key)) cache.set(key, loadArchiveKeys(config.encryption, entry, keyFile));
    return cache.get(key)!;
  };
}

/**
 * restore_command: `file` (%f) to `dest` (%p), every checksum checked. Returns false when it is
 * not archived (the caller exits 1 and PostgreSQL ends recovery there); throws on a damaged or
 * undecryptable file.
 */
export async function fetchWalFile(options: { config: Config; source: PostgresSourceConfig; targets: Target[]; file: string; dest: string; keyFile?: string | undefined; signal?: AbortSignal }): Promise<boolean> {
  const found = await findArchived(options.targets, options.source.name, walArchiveName(options.file));
  if (!found) return false;
  const keys = await keyCache(options.config, options.keyFile)(found.entry);
  await fetchArchivedFile({ targets: options.targets, file: found, keys, dest: options.dest, ...(options.signal ? { signal: options.signal } : {}) });
  return true;
}

/**
 * The WAL archive as a point-in-time restore reads it: each file decrypted and checked as it
 * streams to the recovery instance, and the reachability check (no gap, archive far enough).
 */
export function openWalArchive(options: { config: Config; source: PostgresSourceConfig; targets: Target[]; keyFile?: string | undefined; signal?: AbortSignal | undefined }): WalArchiveView {
  const keysFor = keyCache(options.config, options.keyFile);
  const source = options.source.name;
  return {
    supply: {
      async open(file) {
        const found = await findArchived(options.targets, source, walArchiveName(file));
        if (!found) return undefined;
        const target = options.targets.find((candidate) => candidate.name === found.targets[0])!;
        const stored = `${source}/${found.entry.file}`;
        const stream = await openItemPlain({
          target,
          setId: '',
          item: found.entry,
          keys: await keysFor(found.entry),
          open: { read: () => target.openArchiveRead(stored), where: `${target.name}:${target.describeArchiveFile(stored)}` },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        return { stream, bytes: found.entry.plain.bytes };
      },
    },
    async checkReachable(base: FoundBaseBackup, at: Date | undefined) {
      const full = await loadArchiveTimeline(options.targets, source);
      // Replay follows segments; .history and .backup files sit beside them, outside the sequence.
      const timeline = { ...full, files: full.files.filter((file) => file.place) };
      const info = base.item.baseBackup;
      const from = `${timelineHex(info.timeline)}/${info.stopWal}`;
      const sameStream = timeline.files.filter((file) => file.place?.stream === timelineHex(info.timeline));
      const newest = sameStream[sameStream.length - 1];
      const stop: StopPoint = at ? { kind: 'time', at } : { kind: 'event', name: newest?.entry.name ?? from, position: 0 };
      try {
        planReplay(timeline, from, stop);
      } catch (error) {
        if (!(error instanceof DrcError)) throw error;
        const reach = `reachable: ${base.finishedAt.toISOString()} (base backup in set ${base.setId}) … ${timeline.newestEventAt ?? 'nothing archived yet'}`;
        const advice = /reaches only to/.test(error.message)
          ? 'the newest WAL is not archived yet: run "SELECT pg_switch_wal()" on the server (and set archive_timeout), then try again'
          : (error.hint ?? '');
        throw new DrcError(error.message, { exitCode: EXIT.critical, hint: `${reach}${timeline.gaps.length ? ', except across the gap(s)' : ''}; ${advice}` });
      }
    },
  };
}

/**
 * drc verify: for every pitr source, the WAL from the oldest kept base backup (and so from
 * every newer one) to the newest archived segment must be unbroken. One line per problem.
 */
export async function verifyWalChains(config: Config, targets: Target[], catalog: CatalogEntry[], emit: Emit): Promise<string[]> {
  const problems: string[] = [];
  for (const source of config.sources.filter(isPitrSource)) {
    const oldest = listBaseBackups(catalog, source.name).at(-1);
    if (!oldest) continue;
    try {
      await openWalArchive({ config, source, targets }).checkReachable(oldest, undefined);
      emit({ type: 'log', level: 'info', message: `WAL chain of ${source.name}: unbroken from the base backup in set ${oldest.setId} to the newest archived segment` });
    } catch (error) {
      problems.push(`WAL chain of ${source.name}: ${errorMessage(error)}`);
    }
  }
  return problems;
}

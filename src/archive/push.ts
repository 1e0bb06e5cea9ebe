import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { DrcError, EXIT, errorMessage } from '../errors.js';
import { throttledProgress, type Emit } from '../events.js';
import type { Compression } from '../pipeline/compress.js';
import { createEncryptor, type EncryptionSettings } from '../pipeline/encryption.js';
import { HashingTap, hashStream } from '../pipeline/tap.js';
import { hostName } from '../sets/set-id.js';
import { verifySealedDocument, type DocumentTrust } from '../trust/authenticate.js';
import type { Target } from '../storage/types.js';
import { ARCHIVE_ENTRY_FORMAT, parseEntry, serializeEntry, type ArchiveEntry, type ArchiveKind } from './entry.js';
import { archiveDataFile, archiveEntryFile, confineArchiveName } from './layout.js';
import { confineSegment } from './names.js';

/** What the caller knows about the file from its content (event times, positions, LSNs). */
export type ArchiveFileFacts = Pick<ArchiveEntry, 'firstEventAt' | 'lastEventAt' | 'mysql' | 'postgres'>;

export interface PushArchiveFileOptions {
  source: string;
  kind: ArchiveKind;
  /** Name inside archive/<source>/: "mysql-bin.000042" or "00000001/000000010000000000000003". */
  name: string;
  /** The finished local file to archive (a binlog the server closed, a WAL segment). */
  path: string;
  facts: ArchiveFileFacts;
  targets: Target[];
  compression: Compression;
  encryption: EncryptionSettings;
  /**
   * Seals every index entry written (`<name>.json.sig` or `.mac`) and checks the ones read.
   * Every caller should pass it (loadDocumentTrust(config)); without it entries are neither sealed nor checked.
   */
  trust?: DocumentTrust | undefined;
  emit: Emit;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface PushOutcome {
  name: string;
  /** archived: written to at least one target now; skipped: every target already had it. */
  status: 'archived' | 'skipped';
  /** Targets that hold the file after this call (new or already there). */
  storedOn: string[];
  failedTargets: Array<{ target: string; error: string }>;
  /** The entry as written to (or found on) the first target that holds it. */
  entry: ArchiveEntry;
}

/**
 * Archives one finished file on every target through the same pipeline as a set item:
 * sha256 of the plain bytes → compress → OpenPGP → sha256 of the stored bytes → target,
 * data file first, index entry last. Idempotent: a target whose entry has the same plain
 * sha256 is left alone; one whose entry differs is a loud failure (two different files under
 * one name means the server's log was reset or another server writes here). The file is
 * encrypted once; other targets get a checked copy of the stored bytes and the same entry.
 * A target that fails is reported and filled in by the next run; only when no target holds
 * the file afterwards does this throw.
 */
export async function pushArchiveFile(options: PushArchiveFileOptions): Promise<PushOutcome> {
  const { source, name, targets, emit } = options;
  confineSegment(source, 'archive source');
  confineArchiveName(name);
  const plain = await hashLocalFile(options.path, options.signal);
  const have: Array<{ target: Target; entry: ArchiveEntry }> = [];
  const missing: Target[] = [];
  for (const target of targets) {
    const entry = await readEntry(target, source, name, options.trust);
    if (!entry) missing.push(target);
    else if (entry.plain.sha256 !== plain.sha256 || entry.plain.bytes !== plain.bytes) {
      throw new DrcError(
        `archive ${target.name}:${target.describeArchiveFile(archiveEntryFile(source, name))} already holds a different ${name} (${entry.plain.bytes} bytes, sha256 ${entry.plain.sha256.slice(0, 12)}…; now ${plain.bytes} bytes, ${plain.sha256.slice(0, 12)}…)`,
        {
          exitCode: EXIT.critical,
          hint: `the server's log was reset (RESET MASTER, a new server with the same file names) or another server archives as "${source}": give this source its own name in the config, or move the old archive/${source}/ aside`,
        },
      );
    } else have.push({ target, entry });
  }
  const outcome: PushOutcome = { name, status: 'skipped', storedOn: have.map((h) => h.target.name), failedTargets: [], entry: have[0]?.entry as ArchiveEntry };
  if (!missing.length) return outcome;

  let donor = have[0];
  const rest = [...missing];
  if (!donor) {
    const first = rest.shift()!;
    try {
      donor = { target: first, entry: await encryptToTarget(options, first, plain) };
      outcome.storedOn.push(first.name);
    } catch (error) {
      outcome.failedTargets.push({ target: first.name, error: errorMessage(error) });
      // The next target gets a fresh encryption; a failure there too ends the push.
      const second = rest.shift();
      if (!second) throw error;
      donor = { target: second, entry: await encryptToTarget(options, second, plain) };
      outcome.storedOn.push(second.name);
    }
  }
  outcome.status = 'archived';
  outcome.entry = donor.entry;
  for (const target of rest) {
    try {
      await copyArchived(donor.target, target, donor.entry, options.trust, options.signal);
      outcome.storedOn.push(target.name);
    } catch (error) {
      outcome.failedTargets.push({ target: target.name, error: errorMessage(error) });
      emit({ type: 'log', level: 'warn', message: `archive ${source}/${name}: not copied to ${target.name} (${errorMessage(error)}); the next run tries again` });
    }
  }
  return outcome;
}

async function encryptToTarget(options: PushArchiveFileOptions, target: Target, plain: { bytes: number; sha256: string }): Promise<ArchiveEntry> {
  const { source, name, compression, encryption, emit } = options;
  const file = archiveDataFile(name, compression.suffix);
  const task = `${source}/${name}`;
  const started = Date.now();
  emit({ type: 'task-started', task, phase: 'archive', detail: `→ ${target.name}`, totalBytes: plain.bytes });
  const progress = throttledProgress(emit, task, 'archive', 250, plain.bytes);
  const writer = await target.createArchiveWriter(`${source}/${file}`, plain.bytes);
  const plainTap = new HashingTap({ onProgress: progress });
  const stored = new HashingTap();
  try {
    await pipeline(
      createReadStream(options.path, { highWaterMark: 1 << 20 }),
      plainTap,
      compression.createCompressor(),
      createEncryptor(encryption),
      stored,
      writer.stream,
      ...(options.signal ? [{ signal: options.signal }] : []),
    );
    // The file must not have changed between the first hash and this read.
    if (plainTap.sha256() !== plain.sha256) throw new DrcError(`${options.path} changed while it was archived; it is archived on the next run`);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    emit({ type: 'task-finished', task, phase: 'archive', ok: false, elapsedMs: Date.now() - started, detail: errorMessage(error) });
    throw error;
  }
  const entry: ArchiveEntry = {
    format: ARCHIVE_ENTRY_FORMAT,
    source,
    kind: options.kind,
    name,
    file,
    ...options.facts,
    plain,
    storedBytes: stored.bytes,
    sha256: stored.sha256(),
    compression: compression.kind,
    encryption: 'openpgp',
    encryptedTo: { passphrase: encryption.passwords.length > 0, recipients: encryption.fingerprints },
    archivedAt: (options.now?.() ?? new Date()).toISOString(),
    host: hostName(),
  };
  await writeEntry(target, entry, options.trust);
  emit({ type: 'task-finished', task, phase: 'archive', ok: true, bytes: stored.bytes, elapsedMs: Date.now() - started, detail: `→ ${target.name}` });
  return entry;
}

/** Streams the stored bytes from one target to another, checked against the entry, entry last. */
export async function copyArchived(from: Target, to: Target, entry: ArchiveEntry, trust: DocumentTrust | undefined, signal?: AbortSignal): Promise<void> {
  const file = `${entry.source}/${entry.file}`;
  const opened = await from.openArchiveRead(file);
  const tap = new HashingTap();
  const writer = await to.createArchiveWriter(file, opened.bytes);
  try {
    await pipeline(opened.stream, tap, writer.stream, ...(signal ? [{ signal }] : []));
    if (tap.sha256() !== entry.sha256 || tap.bytes !== entry.storedBytes) {
      throw new DrcError(`archive ${from.name}:${file} does not match its index entry; not copied to ${to.name}`, { hint: 'run "drc verify" to check the archive' });
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writeEntry(to, entry, trust);
}

/** The entry is the commit point: its seal first, then the entry itself, after the data file, atomically. */
async function writeEntry(target: Target, entry: ArchiveEntry, trust: DocumentTrust | undefined): Promise<void> {
  const file = archiveEntryFile(entry.source, entry.name);
  const bytes = Buffer.from(serializeEntry(entry));
  if (trust) {
    const seal = await trust.seal(bytes);
    await target.writeArchiveFile(`${file}${seal.suffix}`, seal.content);
  }
  await target.writeArchiveFile(file, bytes);
}

/**
 * undefined when the file is not archived on this target. The entry's seal is checked against
 * exactly the bytes that are then parsed; an unsealed or forged entry is refused (the archive
 * is newer than sealing, so there are no legacy entries to accept).
 */
export async function readEntry(target: Target, source: string, name: string, trust?: DocumentTrust): Promise<ArchiveEntry | undefined> {
  const file = archiveEntryFile(source, name);
  const text = await target.readArchiveFile(file);
  if (!text) return undefined;
  const where = `${target.name}:${target.describeArchiveFile(file)}`;
  const verdict = trust ? await verifySealedDocument(trust, text, (suffix) => target.readArchiveFile(`${file}${suffix}`)) : ({ ok: true } as const);
  if (!verdict.ok) {
    throw new DrcError(`${where}: archive index entry is not authentic: ${verdict.reason}`, {
      hint: 'nothing is replayed from it; if the server still has the binlog, move the entry aside and run "drc archive --once"',
    });
  }
  const entry = parseEntry(text.toString('utf8'), where);
  checkEntryMatchesPlace(entry, source, name, target);
  return entry;
}

/** An entry must describe the file it sits beside: a moved or forged one is not trusted. */
export function checkEntryMatchesPlace(entry: ArchiveEntry, source: string, name: string, target: Target): void {
  if (entry.source !== source || entry.name !== name) {
    throw new DrcError(`archive ${target.name}:${source}/${name}: its index entry describes ${entry.source}/${entry.name}`, {
      hint: 'the archive was moved or tampered with; move the entry aside and run "drc archive --once"',
    });
  }
  confineArchiveName(entry.file);
}

function hashLocalFile(path: string, signal?: AbortSignal): Promise<{ bytes: number; sha256: string }> {
  return hashStream(createReadStream(path, { highWaterMark: 1 << 20 }), undefined, signal);
}

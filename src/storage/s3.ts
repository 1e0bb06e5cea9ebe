import { PassThrough, Readable, finished } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type _Object,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3TargetConfig } from '../config/schema.js';
import { DrcError } from '../errors.js';
import { confineArchivePath } from '../archive/names.js';
import { MANIFEST_FILE } from '../sets/manifest.js';
import { ARCHIVE_DIR } from '../archive/names.js';
import { createS3Client, describeCredentialSource } from './s3-client.js';
import { describeMissingBucket, describeS3Error, isS3NotFound, type S3Place } from './s3-errors.js';
import type { ItemWriter, StoredFile, StoredSetEntry, Target } from './types.js';

const MiB = 1024 * 1024;
const MIN_PART = 5 * MiB;
/** S3 allows 10,000 parts; aim below that so an estimate that is somewhat short still fits. */
const PARTS_FOR_KNOWN_SIZE = 9000;
const PARTS_FOR_UNKNOWN_SIZE = 9500;
/** The largest stream of unknown length an upload must be able to take. */
const LARGEST_UNKNOWN_STREAM = 1024 ** 4;
/** Parts in memory at once stay under this many bytes (each queued part is a whole buffer). */
const UPLOAD_MEMORY = 64 * MiB;
const DELETE_BATCH = 1000;

/**
 * An S3-compatible bucket (AWS, MinIO, Ceph, Backblaze, s3rver). Objects are keyed
 * `<prefix>/<set>/<file>`. Items upload straight to their final key: S3 has no rename, and a
 * set without manifest.json is not a set, so the manifest written last is the commit point.
 */
export function createS3Target(config: S3TargetConfig): Target {
  const client = createS3Client(config);
  const bucket = config.bucket;
  const base = normalizePrefix(config.prefix);
  const place: S3Place = {
    target: config.name,
    bucket,
    endpoint: config.endpoint ?? `AWS S3 (${config.region ?? 'us-east-1'})`,
    credentialsFrom: describeCredentialSource(config),
  };
  const keyOf = (setId: string, file: string) => `${base}${setId}/${file}`;
  const describeFile = (setId: string, file: string) => `s3://${bucket}/${keyOf(setId, file)}`;
  /** Archive files live beside the sets, `<prefix>/archive/<source>/…`; every segment confined. */
  const archiveKey = (file: string) => `${base}${ARCHIVE_DIR}/${confineArchivePath(file, 'archive file')}`;

  async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw describeS3Error(place, action, error);
    }
  }

  async function listObjects(prefix: string, action: string): Promise<_Object[]> {
    return call(action, async () => {
      const objects: _Object[] = [];
      for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
        objects.push(...(page.Contents ?? []));
      }
      return objects;
    });
  }

  async function deleteObjects(keys: string[], action: string): Promise<void> {
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const result = await call(action, () =>
        client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
      );
      const [failed] = result.Errors ?? [];
      if (failed) throw describeS3Error(place, `${action} (${failed.Key})`, { name: failed.Code, message: failed.Message });
    }
  }

  async function createUploadWriter(key: string, expectedBytes?: number): Promise<ItemWriter> {
    const where = `s3://${bucket}/${key}`;
    // The writer's stream and the upload's body are separate: the upload destroys its body
    // quietly when it fails, and the writer must see the failure instead. A writer that
    // fails or aborts ends the body with an error, so the upload stops rather than waits.
    const stream = new PassThrough();
    const body = new PassThrough();
    stream.pipe(body);
    finished(stream, (error) => {
      if (error) body.destroy(error);
    });
    // Failures reach the writer through its pipeline and commit(); these listeners only
    // keep a failure that arrives after the pipeline has let go from crashing the process.
    stream.on('error', () => {});
    body.on('error', () => {});
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body },
      ...chooseUploadParts(expectedBytes),
    });
    const done = upload.done().then(
      () => undefined,
      (error: unknown) => {
        const failure = describeS3Error(place, `writing ${where}`, error);
        stream.destroy(failure);
        throw failure;
      },
    );
    done.catch(() => {});
    return {
      stream,
      commit: () => done,
      async abort() {
        // The upload stops reading and waits for parts in flight, so once `done` settles
        // nothing more can land under the key.
        stream.destroy(new Error(`upload of ${where} aborted`));
        await done.catch(() => {});
        // The upload may have completed before the abort. s3rver lacks
        // AbortMultipartUpload, so the upload's own clean-up may fail too: ignore both.
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {});
      },
    };
  }

  async function putObject(key: string, content: string | Buffer): Promise<void> {
    await call(`writing s3://${bucket}/${key}`, () => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: content })));
  }

  async function getObject(key: string): Promise<Buffer | undefined> {
    try {
      const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from((await result.Body?.transformToByteArray()) ?? []);
    } catch (error) {
      if (isS3NotFound(error)) return undefined;
      throw describeS3Error(place, `reading s3://${bucket}/${key}`, error);
    }
  }

  async function openObject(key: string): Promise<{ stream: Readable; bytes: number }> {
    const where = `s3://${bucket}/${key}`;
    let result;
    try {
      result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (isS3NotFound(error)) {
        throw new DrcError(`target ${config.name}: ${where} does not exist`, {
          hint: 'run `drc backups` to see the sets on this target, and `drc verify` to check them',
        });
      }
      throw describeS3Error(place, `reading ${where}`, error);
    }
    if (!(result.Body instanceof Readable)) {
      throw new DrcError(`target ${config.name}: reading ${where} returned no stream`, {
        hint: 'drc needs the Node.js runtime for S3 downloads',
      });
    }
    // A connection lost mid-download should read like every other S3 failure, and a reader
    // that stops early must release the connection.
    const body = result.Body;
    const stream = new PassThrough({ highWaterMark: MiB });
    body.on('error', (error) => stream.destroy(describeS3Error(place, `reading ${where}`, error)));
    stream.on('close', () => body.destroy());
    body.pipe(stream);
    return { stream, bytes: result.ContentLength ?? 0 };
  }

  return {
    name: config.name,
    type: 's3',
    location: `s3://${bucket}${base ? `/${base.slice(0, -1)}` : ''}`,

    async checkReachable() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (error) {
        if (isS3NotFound(error)) throw describeMissingBucket(place);
        throw describeS3Error(place, `checking s3://${bucket}`, error);
      }
    },

    async listSets() {
      const sets = new Map<string, StoredSetEntry>();
      for (const object of await listObjects(base, `listing s3://${bucket}/${base}`)) {
        const [setId, file] = splitSetKey(object.Key?.slice(base.length) ?? '');
        if (!setId || !file) continue;
        const modifiedAt = object.LastModified ?? new Date(0);
        const entry = sets.get(setId) ?? { id: setId, hasManifest: false, modifiedAt };
        if (file === MANIFEST_FILE) entry.hasManifest = true;
        if (modifiedAt > entry.modifiedAt) entry.modifiedAt = modifiedAt;
        sets.set(setId, entry);
      }
      return [...sets.values()];
    },

    async listFolders() {
      return call(`listing s3://${bucket}/${base}`, async () => {
        const folders: string[] = [];
        for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: bucket, Prefix: base, Delimiter: '/' })) {
          for (const common of page.CommonPrefixes ?? []) {
            const name = common.Prefix?.slice(base.length).replace(/\/$/, '');
            if (name) folders.push(name);
          }
        }
        return folders;
      });
    },

    async listFiles(setId) {
      const prefix = keyOf(setId, '');
      const files: StoredFile[] = [];
      for (const object of await listObjects(prefix, `listing s3://${bucket}/${prefix}`)) {
        const name = object.Key?.slice(prefix.length) ?? '';
        if (name && !name.includes('/')) files.push({ name, bytes: object.Size ?? 0 });
      }
      return files;
    },

    createItemWriter: (setId, file, expectedBytes) => createUploadWriter(keyOf(setId, file), expectedBytes),

    writeFile: (setId, file, content) => putObject(keyOf(setId, file), content),
    readFile: (setId, file) => getObject(keyOf(setId, file)),
    openRead: (setId, file) => openObject(keyOf(setId, file)),

    async removeSet(setId) {
      const action = `deleting set ${setId} from ${describeFile(setId, '')}`;
      await call(action, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(setId, MANIFEST_FILE) })));
      const objects = await listObjects(keyOf(setId, ''), action);
      await deleteObjects(
        objects.flatMap((object) => (object.Key ? [object.Key] : [])),
        action,
      );
    },

    describeFile,

    async listArchive(prefix) {
      const folder = `${archiveKey(prefix)}/`;
      const files: StoredFile[] = [];
      for (const object of await listObjects(folder, `listing s3://${bucket}/${folder}`)) {
        const name = object.Key?.slice(folder.length) ?? '';
        if (name) files.push({ name, bytes: object.Size ?? 0 });
      }
      return files;
    },
    createArchiveWriter: (file, expectedBytes) => createUploadWriter(archiveKey(file), expectedBytes),
    writeArchiveFile: (file, content) => putObject(archiveKey(file), content),
    readArchiveFile: (file) => getObject(archiveKey(file)),
    openArchiveRead: (file) => openObject(archiveKey(file)),
    async removeArchiveFile(file) {
      const key = archiveKey(file);
      await call(`deleting s3://${bucket}/${key}`, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    },
    describeArchiveFile: (file) => `s3://${bucket}/${archiveKey(file)}`,
  };
}

/**
 * Part size and parallelism for one upload. A known size gets parts just big enough to fit
 * S3's 10,000-part limit with room to spare; an unknown one gets parts big enough for a
 * 1 TiB stream, one in flight at a time so memory stays bounded.
 */
export function chooseUploadParts(expectedBytes?: number): { partSize: number; queueSize: number } {
  if (expectedBytes === undefined) {
    const partSize = Math.ceil(LARGEST_UNKNOWN_STREAM / PARTS_FOR_UNKNOWN_SIZE / MiB) * MiB;
    return { partSize, queueSize: 1 };
  }
  const partSize = Math.max(MIN_PART, Math.ceil(expectedBytes / PARTS_FOR_KNOWN_SIZE));
  return { partSize, queueSize: Math.min(4, Math.max(1, Math.floor(UPLOAD_MEMORY / partSize))) };
}

/** "prod", "/prod/" → "prod/"; none → "" (sets at the bucket root). */
function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed ? `${trimmed}/` : '';
}

/** "<set>/<file>" → [set, file]; anything deeper or shallower is not part of a set. */
function splitSetKey(relative: string): [string | undefined, string | undefined] {
  const parts = relative.split('/');
  return parts.length === 2 ? [parts[0], parts[1]] : [undefined, undefined];
}

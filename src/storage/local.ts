import { createReadStream, createWriteStream } from 'node:fs';
import { access, constants, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { LocalTargetConfig } from '../config/schema.js';
import { DrcError } from '../errors.js';
import { ARCHIVE_DIR, confineArchivePath } from '../archive/names.js';
import { MANIFEST_FILE } from '../sets/manifest.js';
import type { ItemWriter, StoredFile, StoredSetEntry, Target } from './types.js';

const PART_SUFFIX = '.part';

/**
 * A folder on a local or mounted disk. Items are written as `<file>.part` and renamed when
 * complete; every file is fsynced before its rename so a power cut cannot leave a renamed
 * but empty file. Files 0600, folders 0700: backups hold the whole database.
 */
export function createLocalTarget(config: LocalTargetConfig): Target {
  const root = config.path;
  const setDir = (setId: string) => path.join(root, setId);
  const filePath = (setId: string, file: string) => path.join(root, setId, file);

  const archiveRoot = path.join(root, ARCHIVE_DIR);
  const archivePath = (file: string) => path.join(archiveRoot, ...confineArchivePath(file, 'archive file').split('/'));

  async function ensureSetDir(setId: string): Promise<string> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const dir = setDir(setId);
    await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return dir;
  }

  return {
    name: config.name,
    type: 'local',
    location: root,

    async checkReachable() {
      try {
        await mkdir(root, { recursive: true, mode: 0o700 });
        await access(root, constants.W_OK);
      } catch (error) {
        throw new DrcError(`target ${config.name}: cannot write to ${root} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
          hint: 'create the folder and give the user running drc write access, or fix targets[].path',
        });
      }
    },

    async listSets() {
      let names: string[];
      try {
        names = await readdir(root);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const entries: StoredSetEntry[] = [];
      for (const name of names) {
        const info = await stat(path.join(root, name)).catch(() => undefined);
        if (!info?.isDirectory()) continue;
        const manifest = await stat(filePath(name, MANIFEST_FILE)).catch(() => undefined);
        entries.push({ id: name, hasManifest: Boolean(manifest?.isFile()), modifiedAt: info.mtime });
      }
      return entries;
    },

    async listFolders() {
      const entries = await readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    },

    async listFiles(setId) {
      const names = await readdir(setDir(setId)).catch(() => [] as string[]);
      const files: StoredFile[] = [];
      for (const name of names) {
        const info = await stat(filePath(setId, name));
        if (info.isFile()) files.push({ name, bytes: info.size });
      }
      return files;
    },

    async createItemWriter(setId, file) {
      await ensureSetDir(setId);
      // Exclusive: two writers of one set item would be a bug, not a retry.
      return createPartWriter(filePath(setId, file), 'wx');
    },

    async writeFile(setId, file, content) {
      await ensureSetDir(setId);
      await writeAtomically(filePath(setId, file), content);
    },

    async readFile(setId, file) {
      try {
        return await readFile(filePath(setId, file));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },

    async openRead(setId, file) {
      const full = filePath(setId, file);
      const info = await stat(full);
      return { stream: createReadStream(full, { highWaterMark: 1 << 20 }), bytes: info.size };
    },

    async removeSet(setId) {
      await unlink(filePath(setId, MANIFEST_FILE)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await fsyncFile(setDir(setId)).catch(() => {});
      await rm(setDir(setId), { recursive: true, force: true });
    },

    describeFile(setId, file) {
      return filePath(setId, file);
    },

    async listArchive(prefix) {
      const base = archivePath(prefix);
      const files: StoredFile[] = [];
      const walk = async (dir: string, relative: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return [];
          throw error;
        });
        for (const entry of entries) {
          const name = relative ? `${relative}/${entry.name}` : entry.name;
          if (entry.isDirectory()) await walk(path.join(dir, entry.name), name);
          else if (entry.isFile() && !entry.name.endsWith(PART_SUFFIX)) files.push({ name, bytes: (await stat(path.join(dir, entry.name))).size });
        }
      };
      await walk(base, '');
      return files;
    },

    async createArchiveWriter(file) {
      const finalPath = archivePath(file);
      await mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });
      // A .part left by a killed archiver is overwritten: the archive lock makes this run its only writer.
      return createPartWriter(finalPath, 'w');
    },

    async writeArchiveFile(file, content) {
      const finalPath = archivePath(file);
      await mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });
      await writeAtomically(finalPath, content);
    },

    async readArchiveFile(file) {
      try {
        return await readFile(archivePath(file));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },

    async openArchiveRead(file) {
      const full = archivePath(file);
      const info = await stat(full);
      return { stream: createReadStream(full, { highWaterMark: 1 << 20 }), bytes: info.size };
    },

    async removeArchiveFile(file) {
      await unlink(archivePath(file)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },

    describeArchiveFile(file) {
      return archivePath(file);
    },
  };
}

/** A `<file>.part` stream renamed into place on commit, fsynced first (see createLocalTarget). */
function createPartWriter(finalPath: string, flags: 'w' | 'wx'): ItemWriter {
  const partPath = finalPath + PART_SUFFIX;
  const stream = createWriteStream(partPath, { mode: 0o600, flags });
  return {
    stream,
    async commit() {
      await fsyncFile(partPath);
      await rename(partPath, finalPath);
      await fsyncFile(path.dirname(finalPath));
    },
    async abort() {
      stream.destroy();
      await unlink(partPath).catch(() => {});
    },
  };
}

async function writeAtomically(finalPath: string, content: string | Buffer): Promise<void> {
  const partPath = finalPath + PART_SUFFIX;
  const handle = await open(partPath, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(partPath, finalPath);
  await fsyncFile(path.dirname(finalPath));
}

async function fsyncFile(target: string): Promise<void> {
  const handle = await open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

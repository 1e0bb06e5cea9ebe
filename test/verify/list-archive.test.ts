import { execa } from 'execa';
import { Readable } from 'node:stream';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { listArchive } from '../../src/verify/deep-check.js';
import { makeTempDir } from '../helpers/tmp.js';

let temp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  temp = await makeTempDir('drc-list-archive-');
});
afterAll(async () => temp?.cleanup());

test('tar --list stopping at the end-of-archive blocks, before the feed is done, is not a failure; every byte is still read', async () => {
  const tree = path.join(temp.dir, 'tree');
  await mkdir(tree);
  for (let index = 0; index < 3; index += 1) await writeFile(path.join(tree, `file-${index}.txt`), `content ${index}\n`);
  const tar = (await execa('tar', ['--create', '--file=-', '--directory', tree, '.'], { encoding: 'buffer' })).stdout;
  // Several MB after the end-of-archive: tar has long exited when these are fed.
  const tail = Buffer.alloc(8 * 1024 * 1024);
  let read = 0;
  const plain = Readable.from(
    (function* () {
      for (const chunk of [tar, tail]) {
        for (let offset = 0; offset < chunk.length; offset += 64 * 1024) {
          const piece = chunk.subarray(offset, offset + 64 * 1024);
          read += piece.length;
          yield piece;
        }
      }
    })(),
  );
  expect(await listArchive(plain)).toBe(4);
  expect(read).toBe(tar.length + tail.length);
});

test('a stream that is not a tar archive still fails', async () => {
  await expect(listArchive(Readable.from([Buffer.from('not a tar archive at all, just text\n'.repeat(100))]))).rejects.toThrow(/tar --list failed/);
});

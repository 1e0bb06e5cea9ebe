import { execa } from 'execa';
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { checkConfinedName, checkRelativePath, confineName } from '../../src/trust/confine.js';
import { shellJoin, shellQuote } from '../../src/trust/shell-quote.js';
import { makeTempDir } from '../helpers/tmp.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const hostile = [
  `inj'$(touch ./PWNED)'x`,
  '$(touch ./PWNED)',
  '`touch ./PWNED`',
  'a; touch ./PWNED',
  'a && touch ./PWNED',
  "it's",
  '"double" $HOME ${HOME} \\ | > < & * ? [x] ~ #',
  'line\nbreak; touch ./PWNED',
  '',
  '-rf',
  'ünïcødé name',
];

describe('shellQuote: the one quoting function for printed commands', () => {
  it('round-trips every hostile word through bash unchanged and runs nothing', async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    for (const word of hostile) {
      const { stdout } = await execa('bash', ['-c', `printf '%s\\0' ${shellQuote(word)}`], { cwd: temp.dir });
      expect(stdout).toBe(`${word}\0`);
    }
    const { stdout } = await execa('bash', ['-c', `printf '%s\\0' ${shellJoin(hostile)}`], { cwd: temp.dir });
    expect(stdout).toBe(hostile.map((word) => `${word}\0`).join(''));
    expect(await readdir(temp.dir)).toEqual([]);
  });

  it('leaves plain words readable', () => {
    expect(shellJoin(['pg_restore', '--dbname=postgres://backup@localhost/app_db', 'core-db.dump'])).toBe('pg_restore --dbname=postgres://backup@localhost/app_db core-db.dump');
  });
});

describe('confineName / checkRelativePath: one check for every untrusted name', () => {
  it('refuses separators, dot-dot, absolute paths, NUL and option-like names', () => {
    for (const name of ['../x', '..', '.', '/etc/passwd', 'a/b', 'a\\b', 'a\u0000b', '', '-rf', 'x\ny', 'a'.repeat(256)]) {
      expect(checkConfinedName(name), name).toBeDefined();
    }
    for (const name of ['core-db.dump.zst.gpg', '2026-11-22T02-00-00Z_web1', 'manifest.json', 'a..b', '.hidden']) {
      expect(checkConfinedName(name), name).toBeUndefined();
    }
    expect(() => confineName('../../../../etc/passwd', 'manifest item file')).toThrow('manifest item file "../../../../etc/passwd" contains a path separator');
  });

  it('re-roots absolute paths like tar and refuses any ".." component', () => {
    expect(checkRelativePath('/var/www/app/')).toEqual({ path: 'var/www/app' });
    expect(checkRelativePath('//srv/./x')).toEqual({ path: 'srv/x' });
    expect(checkRelativePath('/../../../../srv/victim')).toEqual({ problem: 'contains ".."' });
    expect(checkRelativePath('/srv/a/../b')).toEqual({ problem: 'contains ".."' });
    expect(checkRelativePath('/')).toMatchObject({ problem: expect.any(String) });
    expect(checkRelativePath('/srv/a\u0000b')).toMatchObject({ problem: expect.any(String) });
  });
});

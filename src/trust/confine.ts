import { DrcError } from '../errors.js';

/**
 * The one check for every name drc reads from somewhere it does not control (a manifest, an
 * archive index, a target listing, the command line) before it touches a file with it: a
 * single path component, so `path.join(folder, name)` can only ever be inside `folder`.
 * Refused: empty, "." and "..", any "/" or "\", NUL or other control characters, a leading
 * "-" (a tool would take it for an option), and anything longer than a file name may be.
 */
export function checkConfinedName(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'is empty';
  if (name.length > 255) return 'is longer than a file name may be (255)';
  if (name === '.' || name === '..') return `is "${name}"`;
  if (/[/\\]/.test(name)) return 'contains a path separator';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a NUL or control character';
  if (name.startsWith('-')) return 'starts with "-"';
  return undefined;
}

/** `name` when it is one confined path component; otherwise a DrcError naming `what` and why. */
export function confineName(name: string, what: string): string {
  const problem = checkConfinedName(name);
  if (problem) throw new DrcError(`${what} ${JSON.stringify(name)} ${problem}; refusing to use it as a file name`);
  return name;
}

/**
 * A path from a manifest or archive (e.g. a files item's "/var/www/app") as the relative path
 * it has inside the archive, the way `tar` re-roots absolute member names: leading "/" removed,
 * empty and "." components dropped, and every component confined, so ".." can never climb out
 * of the folder it is joined to. Returns undefined (and the reason) when it cannot be confined.
 */
export function checkRelativePath(text: string): { path: string } | { problem: string } {
  if (typeof text !== 'string' || text.includes('\u0000')) return { problem: 'contains a NUL character' };
  const parts = text.split('/').filter((part) => part !== '' && part !== '.');
  if (!parts.length) return { problem: 'names no file or folder' };
  for (const part of parts) {
    if (part === '..') return { problem: 'contains ".."' };
    const problem = checkConfinedName(part);
    if (problem && !problem.startsWith('starts with')) return { problem: `component ${JSON.stringify(part)} ${problem}` };
  }
  return { path: parts.join('/') };
}

/** checkRelativePath, throwing a DrcError that names `what`. */
export function confineRelativePath(text: string, what: string): string {
  const result = checkRelativePath(text);
  if ('problem' in result) throw new DrcError(`${what} ${JSON.stringify(text)} ${result.problem}; refusing to use it as a path`);
  return result.path;
}

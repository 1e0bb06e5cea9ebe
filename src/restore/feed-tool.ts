import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DrcError, errorMessage } from '../errors.js';
import { stderrTail } from '../sources/tools.js';

/**
 * Streams `plain` into a restore tool's stdin and waits for both. The tool's success counts
 * only if the stream also ended cleanly (openItemPlain's checks passed): a damaged or
 * undecryptable item fails here even when the tool happily loaded what it got.
 */
export async function feedTool(plain: Readable, binary: string, args: string[], env: Record<string, string>, what: string): Promise<void> {
  const child = execa(binary, args, { env, stdin: 'pipe', stdout: 'ignore', buffer: { stderr: true }, reject: false, encoding: 'utf8' });
  const fed = pipeline(plain, child.stdin!).then(
    () => undefined,
    (error: unknown) => error,
  );
  const result = await child;
  const feedError = await fed;
  if (feedError instanceof DrcError) throw feedError;
  const tool = binary.split('/').pop();
  if (result.exitCode !== 0) {
    throw new DrcError(`${what}: ${tool} failed (exit ${String(result.exitCode ?? result.signal)}): ${stderrTail(result.stderr) || errorMessage(result)}`);
  }
  if (feedError) throw new DrcError(`${what}: feeding ${tool} failed (${errorMessage(feedError)})`);
}

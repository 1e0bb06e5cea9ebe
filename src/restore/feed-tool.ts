import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { DrcError, errorMessage } from '../errors.js';
import { stderrTail } from '../sources/tools.js';
import type { PlainInput } from './tool-input.js';
import { childEnv } from '../trust/child-env.js';

/**
 * Runs a restore tool on an item's plain content and waits for both. The tool's success counts
 * only if the content's checks passed too (`input.done`): a damaged or undecryptable item fails
 * here even when the tool happily loaded what it got. A decompressor pipe becomes the tool's
 * stdin directly; any other stream is piped in.
 */
export async function feedTool(input: PlainInput, binary: string, args: string[], env: Record<string, string>, what: string): Promise<void> {
  const child = spawn(binary, args, { env: childEnv(env), stdio: [input.isPipe ? input.stream : 'pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  // Our copy of the pipe's read end is closed so that only the tool reads it.
  if (input.isPipe) input.stream.destroy();
  const fed = input.isPipe
    ? Promise.resolve(undefined)
    : pipeline(input.stream, child.stdin!).then(
        () => undefined,
        (error: unknown) => error,
      );
  const result = await exited;
  const feedError = await fed;
  const checked = await input.done.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (feedError instanceof DrcError) throw feedError;
  if (checked instanceof DrcError) throw checked;
  const tool = binary.split('/').pop();
  if (result.error) throw new DrcError(`${what}: cannot run ${tool} (${errorMessage(result.error)})`);
  if (result.code !== 0) throw new DrcError(`${what}: ${tool} failed (exit ${String(result.code)}): ${stderrTail(stderr) || 'no message'}`);
  if (feedError) throw new DrcError(`${what}: feeding ${tool} failed (${errorMessage(feedError)})`);
  if (checked) throw new DrcError(`${what}: ${errorMessage(checked)}`);
}

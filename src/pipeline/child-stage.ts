import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import path from 'node:path';
import { childEnv } from '../trust/child-env.js';

/** Enough of a tool's stderr to explain its failure; a chatty tool cannot grow memory. */
const STDERR_KEEP = 8192;

/** One helper process of the pipeline (tee, zstd): its exit status is part of the result. */
export interface ChildStage {
  readonly name: string;
  readonly child: ChildProcess;
  /** Settles once the process is gone: undefined after exit 0, else an Error with its stderr. Never rejects. */
  readonly exited: Promise<Error | undefined>;
  /**
   * True when its failure was caused by another stage: it died of a broken pipe (the stage it
   * writes to failed) or was stopped by us because another stage had failed.
   */
  isConsequence(): boolean;
  kill(): void;
}

export function startStage(binary: string, args: string[], stdio: StdioOptions): ChildStage {
  const name = path.basename(binary);
  const child = spawn(binary, args, { stdio, env: childEnv() });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
  });
  let signal: NodeJS.Signals | null = null;
  let stopped = false;
  const exited = new Promise<Error | undefined>((resolve) => {
    child.once('error', (error) => resolve(new Error(`cannot run ${name} (${error.message})`)));
    child.once('close', (code, killedBy) => {
      signal = killedBy;
      if (code === 0) resolve(undefined);
      else resolve(new Error(`${name} failed (${killedBy ? `killed by ${killedBy}` : `exit ${String(code)}`})${stderr.trim() ? `: ${lastLines(stderr)}` : ''}`));
    });
  });
  return {
    name,
    child,
    exited,
    isConsequence: () => stopped || signal === 'SIGPIPE' || /broken pipe/i.test(stderr),
    kill: () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopped = true;
      child.kill('SIGKILL');
    },
  };
}

function lastLines(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

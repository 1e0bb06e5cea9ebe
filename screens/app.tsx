import { runProgram } from '../src/cli/program.js';

/** Placeholder until the console screens land: shows the help so a person is never stuck. */
export async function startTui(_argv: string[]): Promise<void> {
  await runProgram(['--help']);
}

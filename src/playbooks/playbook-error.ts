import path from 'node:path';
import { DrcError } from '../errors.js';

export interface Problem {
  line: number;
  message: string;
}

/** Every problem found in one playbook, each as "file:line: problem", refused before anything runs. */
export class PlaybookError extends DrcError {
  readonly file: string;
  readonly problems: Problem[];

  constructor(file: string, problems: Problem[]) {
    const shown = displayPath(file);
    const sorted = [...problems].sort((a, b) => a.line - b.line);
    super(sorted.map((problem) => `${shown}:${problem.line}: ${problem.message}`).join('\n'), {
      hint: `fix the lines above; "drc playbooks check ${shown}" re-checks without running anything`,
    });
    this.name = 'PlaybookError';
    this.file = file;
    this.problems = sorted;
  }
}

/** Relative to the working directory when the file is below it: what people typed. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

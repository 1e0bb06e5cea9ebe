import { isMap, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { didYouMean } from './suggest.js';
import { interpolate, type VarScope } from './vars.js';

export type Report = (line: number, message: string) => void;

/**
 * A YAML fragment of a playbook (frontmatter or a drc block) that knows where it sits in the
 * file, so every problem is reported with the file's own line numbers.
 */
export class YamlBlock {
  private readonly lineCounter = new LineCounter();
  readonly doc: Document;

  /** `firstLine` is the file line of the fragment's first line. */
  constructor(
    text: string,
    private readonly firstLine: number,
    private readonly report: Report,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
  }

  /** Reports YAML syntax errors; true when there were none. */
  checkSyntax(what: string): boolean {
    for (const error of this.doc.errors) {
      const line = this.lineCounter.linePos(error.pos[0]).line;
      this.report(this.firstLine + line - 1, `${what} is not valid YAML: ${error.message.split('\n')[0]}`);
    }
    return this.doc.errors.length === 0;
  }

  isMap(): boolean {
    return isMap(this.doc.contents);
  }

  /** Interpolates `${vars}` in every string value, in place. */
  interpolateStrings(scope: VarScope): void {
    visit(this.doc, {
      Scalar: (_key, node) => {
        if (typeof node.value !== 'string') return;
        const base = this.lineAtOffset(node.range?.[0]);
        node.value = interpolate(node.value, scope, (offset, message) => this.report(base + offset, message));
      },
    });
  }

  toJS(): unknown {
    return this.doc.toJS();
  }

  /** The file line of the value (or, with `key`, the key) at `path`. */
  lineOf(path: readonly PropertyKey[], key?: string): number {
    const keys = path.map((part) => (typeof part === 'symbol' ? String(part) : part));
    const node = keys.length ? this.doc.getIn(keys, true) : this.doc.contents;
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key)) return this.lineAtOffset(pair.key.range?.[0]);
    }
    if (node && typeof node === 'object' && 'range' in node) return this.lineAtOffset((node as { range?: [number] }).range?.[0]);
    // A missing key: point at its parent map.
    return keys.length ? this.lineOf(keys.slice(0, -1)) : this.firstLine;
  }

  /** Reports each zod issue at its line, with "did you mean" for misspelt keys. */
  reportIssues(issues: readonly z.core.$ZodIssue[], what: string, knownKeys: readonly string[]): void {
    for (const issue of issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          this.report(this.lineOf(issue.path, key), `${what}: unknown key "${key}"${didYouMean(key, knownKeys)}`);
        }
        continue;
      }
      const where = issue.path.length ? `"${issue.path.map(String).join('.')}"` : '';
      this.report(this.lineOf(issue.path), `${what}${where ? ` ${where}` : ''}: ${issue.message}`);
    }
  }

  private lineAtOffset(offset: number | undefined): number {
    if (offset === undefined) return this.firstLine;
    return this.firstLine + this.lineCounter.linePos(offset).line - 1;
  }
}

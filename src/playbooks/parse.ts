import type { Code, Heading, List, ListItem, Root, RootContent, Yaml } from 'mdast';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../util/duration.js';
import { parseAction } from './parse-action.js';
import { frontmatterSchema, type Frontmatter } from './schema.js';
import { didYouMean } from './suggest.js';
import type { ChecklistItem, Playbook, Step, StepRun } from './types.js';
import { createVarScope, interpolate, referenceShellVars, type VarScope } from './vars.js';
import { PlaybookError, type Problem } from './playbook-error.js';
import { YamlBlock } from './yaml-block.js';

export interface ParseOptions {
  /** Shown in messages and recorded in the journal. */
  file: string;
  /** --var values; they override the frontmatter's. */
  vars?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** With a config, source and target names are checked against it. */
  config?: Config;
}

const SHELL_LANGS = new Set(['sh', 'bash', 'shell']);
const DEFAULT_SHELL_TIMEOUT = '10m';

/**
 * Turns a playbook's markdown into steps, validating everything that can be validated
 * without running it. All problems are collected and thrown together as a PlaybookError,
 * each with its file:line.
 */
export function parsePlaybook(source: string, options: ParseOptions): Playbook {
  const problems: Problem[] = [];
  const report = (line: number, message: string) => problems.push({ line, message });
  const tree = fromMarkdown(source, {
    extensions: [frontmatter(['yaml']), gfm()],
    mdastExtensions: [frontmatterFromMarkdown(['yaml']), gfmFromMarkdown()],
  });
  const slice = (node: { position?: { start: { offset?: number }; end: { offset?: number } } }) =>
    source.slice(node.position?.start.offset ?? 0, node.position?.end.offset ?? 0);

  const { meta, rawVars } = readFrontmatter(tree, report);
  const scope = createVarScope(meta?.vars ?? rawVars, options.vars, options.env);
  const steps: Step[] = [];
  let title = meta?.title;
  const intro: string[] = [];

  for (const node of tree.children) {
    if (node.type === 'yaml') continue;
    const line = node.position?.start.line ?? 1;
    if (node.type === 'heading' && node.depth <= 2) {
      const text = headingText(node, slice);
      if (node.depth === 1) title ??= text;
      else steps.push({ index: steps.length, title: text, line, text: '', run: undefined, checklist: [] });
      continue;
    }
    const step = steps.at(-1);
    if (!step) {
      if (node.type === 'code' && isRunnable(node)) {
        report(line, `a ${node.lang} block before the first "## " heading belongs to no step; put it under a step heading`);
      } else intro.push(interpolate(slice(node), scope, (offset, message) => report(line + offset, message)));
      continue;
    }
    addToStep(step, node, { scope, report, slice, config: options.config });
  }

  if (meta && !steps.length) report(1, 'no steps: each "## " heading is a step, and this file has none');
  const recoveredStep = meta?.recovered === undefined ? undefined : findRecoveredStep(meta.recovered, steps, report);
  if (problems.length || !meta) throw new PlaybookError(options.file, problems);

  for (const step of steps) step.text = step.text.trim();
  return {
    id: meta.id,
    title: title ?? meta.id,
    severity: meta.severity,
    objectives: meta.objectives ?? {},
    file: options.file,
    intro: intro.join('\n\n').trim(),
    vars: scope.vars,
    envVars: [...scope.usedEnv].sort(),
    recoveredStep,
    steps,
  };
}

/** The validated frontmatter; when it is invalid, its raw vars still let the steps be checked. */
function readFrontmatter(tree: Root, report: (line: number, message: string) => void): { meta?: Frontmatter; rawVars?: Record<string, unknown> } {
  const node = tree.children[0];
  if (node?.type !== 'yaml') {
    report(1, 'no frontmatter: a playbook starts with a "---" block holding at least "id:" (and usually title, severity, objectives)');
    return {};
  }
  const block = new YamlBlock((node as Yaml).value, (node.position?.start.line ?? 1) + 1, report);
  if (!block.checkSyntax('the frontmatter')) return {};
  const raw = block.toJS() as { vars?: unknown } | null;
  const result = frontmatterSchema.safeParse(raw ?? {});
  if (result.success) return { meta: result.data };
  block.reportIssues(result.error.issues, 'frontmatter', Object.keys(frontmatterSchema.shape));
  const rawVars = raw?.vars;
  return rawVars && typeof rawVars === 'object' ? { rawVars: rawVars as Record<string, unknown> } : {};
}

interface StepContext {
  scope: VarScope;
  report: (line: number, message: string) => void;
  slice: (node: RootContent) => string;
  config: Config | undefined;
}

function addToStep(step: Step, node: RootContent, context: StepContext): void {
  const { scope, report, slice } = context;
  const line = node.position?.start.line ?? step.line;
  if (node.type === 'code' && isRunnable(node)) {
    if (step.run) {
      report(line, `step "${step.title}" already runs the block at line ${step.run.line}; a step runs at most one block, so split it into two "## " steps`);
      return;
    }
    step.run = readRun(node, line, context);
    return;
  }
  if (node.type === 'list' && isTaskList(node)) {
    for (const item of node.children) {
      if (item.checked === null || item.checked === undefined) continue;
      const itemLine = item.position?.start.line ?? line;
      const text = interpolate(itemText(item, slice), scope, (offset, message) => report(itemLine + offset, message));
      step.checklist.push({ text, line: itemLine } satisfies ChecklistItem);
    }
    return;
  }
  step.text += '\n\n' + interpolate(slice(node), scope, (offset, message) => report(line + offset, message));
}

function readRun(node: Code, line: number, context: StepContext): StepRun | undefined {
  const { scope, report } = context;
  const bodyLine = line + 1;
  if (node.lang === 'drc') {
    const action = parseAction(node.value, bodyLine, scope, report, context.config);
    if (!action) return undefined;
    return { kind: 'action', action, timeoutMs: action.timeout ? parseDuration(action.timeout) : undefined, line };
  }
  const timeoutText = /(?:^|\s)timeout=(\S+)/.exec(node.meta ?? '')?.[1] ?? DEFAULT_SHELL_TIMEOUT;
  const timeoutMs = parseDuration(timeoutText);
  if (timeoutMs === undefined) report(line, `timeout=${timeoutText}: expected a duration such as "90s", "30m", "2h"`);
  const script = referenceShellVars(node.value, scope, (offset, message) => report(bodyLine + offset, message));
  return { kind: 'shell', shell: node.lang === 'bash' ? 'bash' : 'sh', script, timeoutMs: timeoutMs ?? 600_000, line };
}

function isRunnable(node: Code): boolean {
  return node.lang === 'drc' || SHELL_LANGS.has(node.lang ?? '');
}

function isTaskList(node: List): boolean {
  return node.children.some((item) => typeof item.checked === 'boolean');
}

function itemText(item: ListItem, slice: (node: RootContent) => string): string {
  return item.children.map((child) => slice(child)).join('\n').trim();
}

function headingText(node: Heading, slice: (node: RootContent) => string): string {
  return node.children.map((child) => slice(child)).join('').trim();
}

function findRecoveredStep(title: string, steps: Step[], report: (line: number, message: string) => void): number | undefined {
  const index = steps.findIndex((step) => step.title.toLowerCase() === title.toLowerCase());
  if (index >= 0) return index;
  const titles = steps.map((step) => step.title);
  report(1, `frontmatter "recovered": no step is titled "${title}"${didYouMean(title, titles)}`);
  return undefined;
}

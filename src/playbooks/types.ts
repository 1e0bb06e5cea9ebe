import type { Action, Frontmatter } from './schema.js';

/** One place in a playbook file, for messages: "playbooks/local-data-loss.md:23". */
export interface Location {
  file: string;
  line: number;
}

export interface ChecklistItem {
  text: string;
  line: number;
}

/** What a step runs: a shell block, a drc action, or nothing (read-only / checklist only). */
export type StepRun =
  | { kind: 'shell'; shell: 'sh' | 'bash'; script: string; timeoutMs: number; line: number }
  | { kind: 'action'; action: Action; timeoutMs: number | undefined; line: number };

export interface Step {
  index: number;
  title: string;
  line: number;
  /** The markdown under the heading, without the runnable block and the checklist. */
  text: string;
  run: StepRun | undefined;
  checklist: ChecklistItem[];
}

export type StepKind = 'shell' | 'action' | 'manual' | 'read-only';

export interface Playbook {
  id: string;
  title: string;
  severity: Frontmatter['severity'];
  objectives: { rto?: string; rpo?: string };
  /** The file it was loaded from (absolute), for messages and the journal. */
  file: string;
  /** The text between the `#` title and the first step: symptoms, scope. */
  intro: string;
  /** Resolved vars: frontmatter defaults, then --var; names taken from the environment are listed apart. */
  vars: Record<string, string>;
  envVars: string[];
  /** Index of the step after which service counts as restored, if the playbook names one. */
  recoveredStep: number | undefined;
  steps: Step[];
}

export function stepKind(step: Step): StepKind {
  if (step.run) return step.run.kind;
  return step.checklist.length ? 'manual' : 'read-only';
}

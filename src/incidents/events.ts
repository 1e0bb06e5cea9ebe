import type { NoteKind } from './journal-schema.js';

/**
 * What a running incident reports as it goes, for the headless printer and the TUI alike.
 * Every event that changes the incident is also in the journal; these add the live detail
 * (output lines, progress) and are emitted after the journal line is on disk.
 */
export type RunnerEvent =
  | { type: 'incident-started'; id: string; title: string; resumed: boolean; dir: string }
  | { type: 'step-started'; step: number; title: string; attempt: number }
  | { type: 'step-output'; step: number; line: string }
  | { type: 'step-progress'; step: number; task: string; bytes: number; totalBytes?: number; elapsedMs: number }
  | { type: 'checklist'; step: number; items: Array<{ text: string; ticked: boolean }> }
  | { type: 'step-finished'; step: number; title: string; machineMs: number; waitingMs: number; detail?: string }
  | { type: 'step-failed'; step: number; title: string; error: string; hint?: string; outputFile?: string }
  | { type: 'step-skipped'; step: number; title: string; reason: string }
  | { type: 'step-interrupted'; step: number; title: string; reason: string }
  | { type: 'note'; text: string; kind: NoteKind }
  | { type: 'incident-finished'; id: string; status: 'resolved' | 'aborted'; reason?: string };

export type RunnerListener = (event: RunnerEvent) => void;

import { z } from 'zod';

/**
 * The incident journal's events (DESIGN.md): one JSON object per line, each with its time.
 * The reducer rebuilds an incident from these alone, so they carry everything the
 * post-mortem needs: step timings split into machine and waiting time, the restored set.
 */
const at = z.string();
const step = z.number().int().nonnegative();

const restored = z.object({ source: z.string(), setId: z.string(), setTime: z.string() });

export const journalEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('incident-started'),
    at,
    id: z.string(),
    playbook: z.object({
      id: z.string(),
      title: z.string(),
      file: z.string(),
      severity: z.string(),
      objectives: z.object({ rto: z.string().optional(), rpo: z.string().optional() }),
      recoveredStep: z.number().int().optional(),
    }),
    steps: z.array(z.object({ title: z.string(), kind: z.enum(['shell', 'action', 'manual', 'read-only']), line: z.number(), action: z.string().optional() })),
    /** Frontmatter and --var values (masked); names taken from the environment are listed, never their values. */
    vars: z.record(z.string(), z.string()),
    envVars: z.array(z.string()),
    lostAt: z.string().optional(),
    host: z.string(),
    user: z.string(),
    drcVersion: z.string(),
  }),
  z.object({ type: z.literal('incident-resumed'), at, host: z.string(), user: z.string() }),
  z.object({ type: z.literal('step-started'), at, step, attempt: z.number().int().positive() }),
  /** The command of a step, so a resume after a kill can stop what the dead drc left running. */
  z.object({ type: z.literal('process-started'), at, step, pid: z.number().int() }),
  z.object({ type: z.literal('step-output'), at, step, file: z.string(), bytes: z.number(), tail: z.string() }),
  z.object({ type: z.literal('action-finished'), at, step, machineMs: z.number(), detail: z.string().optional(), restored: restored.optional() }),
  z.object({ type: z.literal('checklist-ticked'), at, step, item: z.number().int().nonnegative(), text: z.string(), by: z.string() }),
  z.object({ type: z.literal('step-finished'), at, step, waitingMs: z.number() }),
  z.object({ type: z.literal('step-failed'), at, step, error: z.string(), hint: z.string().optional(), machineMs: z.number(), waitingMs: z.number() }),
  z.object({ type: z.literal('step-skipped'), at, step, reason: z.string() }),
  z.object({ type: z.literal('step-interrupted'), at, step, reason: z.string() }),
  z.object({
    type: z.literal('note'),
    at,
    text: z.string(),
    kind: z.enum(['note', 'impact', 'detection', 'root-cause', 'action-item', 'lesson', 'lost-at']),
    step: step.optional(),
    /** For a lost-at note: when the data loss happened (the start of the RPO). */
    lostAt: z.string().optional(),
  }),
  z.object({ type: z.literal('incident-finished'), at, status: z.enum(['resolved', 'aborted']), reason: z.string().optional() }),
]);

export type JournalEvent = z.infer<typeof journalEventSchema>;
export type IncidentStartedEvent = Extract<JournalEvent, { type: 'incident-started' }>;
export type NoteKind = Extract<JournalEvent, { type: 'note' }>['kind'];
export type RestoredSet = z.infer<typeof restored>;

/** What a journal line is made of before it is written: the time is added on append. */
export type JournalEntry = JournalEvent extends infer E ? (E extends JournalEvent ? Omit<E, 'at'> : never) : never;

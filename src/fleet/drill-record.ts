import { z } from 'zod';
import { errorMessage } from '../errors.js';
import type { Emit } from '../events.js';
import type { Target } from '../storage/types.js';

/**
 * The newest drill of each host, kept beside its sets (`<target>/drills/<host>.json`), so a
 * fleet view from any machine that reads the bucket can say when each host last proved its
 * backups restore. The drill history in the host's own state folder stays the full record.
 */
export const DRILLS_FOLDER = 'drills';

export const drillSummarySchema = z.object({
  format: z.literal('drc-drill/1'),
  host: z.string(),
  at: z.string(),
  /** server: `drc drill --all` (every item in throwaway servers); sources: `drc drill`. */
  scope: z.enum(['server', 'sources']),
  ok: z.boolean(),
  setId: z.string().optional(),
  rtoMs: z.number().optional(),
  rpoMs: z.number().optional(),
  problems: z.array(z.string()),
});
export type DrillSummary = z.infer<typeof drillSummarySchema>;

/** Best effort: a target that cannot take the record costs the drill nothing but a warning. */
export async function recordDrillOnTargets(targets: Target[], summary: DrillSummary, emit: Emit): Promise<void> {
  for (const target of targets) {
    try {
      await target.writeFile(DRILLS_FOLDER, `${summary.host}.json`, JSON.stringify(summary, null, 2) + '\n');
    } catch (error) {
      emit({ type: 'log', level: 'warn', message: `target ${target.name}: drill result not recorded there (${errorMessage(error)})` });
    }
  }
}

export async function readDrillSummary(target: Target, host: string): Promise<DrillSummary | undefined> {
  const text = await target.readFile(DRILLS_FOLDER, `${host}.json`).catch(() => undefined);
  if (!text) return undefined;
  try {
    const parsed = drillSummarySchema.safeParse(JSON.parse(text.toString('utf8')));
    return parsed.success && parsed.data.host === host ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

import { z } from 'zod';

export const INVENTORY_FORMAT = 'drc-system/1';

/** One probe's outcome: its output, or why there is none. A missing tool is a fact, not a failure. */
const probeSchema = z.object({
  name: z.string(),
  title: z.string(),
  /** What ran, for the reader ("systemctl list-unit-files …" or "read /etc/os-release"). */
  command: z.string(),
  status: z.enum(['ok', 'missing', 'failed', 'timeout']),
  output: z.string(),
  error: z.string().optional(),
  durationMs: z.number(),
});

/** Who owns what under a backed-up path: the users and groups the new machine must have. */
const ownerSchema = z.object({
  kind: z.enum(['user', 'group']),
  id: z.number().int(),
  name: z.string().optional(),
  /** The passwd/group line on the old machine (no password hashes: those live in shadow). */
  entry: z.string().optional(),
  /** Backed-up paths holding files owned by it. */
  paths: z.array(z.string()),
});

export const inventorySchema = z.object({
  format: z.literal(INVENTORY_FORMAT),
  host: z.string(),
  collectedAt: z.string(),
  probes: z.array(probeSchema),
  owners: z.array(ownerSchema),
  /** The backed-up paths themselves: mode and owner of each top folder. */
  paths: z.array(z.object({ path: z.string(), mode: z.string().optional(), uid: z.number().optional(), gid: z.number().optional(), missing: z.boolean().optional() })),
});

export type Inventory = z.infer<typeof inventorySchema>;
export type ProbeResult = z.infer<typeof probeSchema>;
export type OwnerFact = z.infer<typeof ownerSchema>;

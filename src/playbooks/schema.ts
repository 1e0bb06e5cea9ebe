import { z } from 'zod';
import { parseDuration } from '../util/duration.js';

/**
 * The playbook format fixed in DESIGN.md: frontmatter and `drc` blocks are YAML validated
 * here. Vars are interpolated before validation, so every value may arrive as a string
 * ("${deep}" → "true"); the helpers below accept both forms.
 */
const duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  message: 'expected a duration such as "90s", "30m", "2h"',
});

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')]);
const integer = z.union([z.number().int(), z.string().regex(/^\d+$/, 'expected a whole number').transform(Number)]);
const nameList = z.union([z.string().transform((name) => [name]), z.array(z.string()).min(1)]);
/** "invoices, billing" (what a var holds) or a YAML list. */
const tableList = z.union([
  z
    .string()
    .transform((text) => text.split(',').map((name) => name.trim()).filter(Boolean))
    .refine((names) => names.length > 0, 'expected a table name, or several separated by commas'),
  z.array(z.string().min(1)).min(1),
]);

export const frontmatterSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'expected letters, digits, "-" or "_"'),
  title: z.string().min(1).optional(),
  severity: z.enum(['critical', 'high', 'medium', 'low', 'drill']).default('high'),
  description: z.string().optional(),
  objectives: z.strictObject({ rto: duration.optional(), rpo: duration.optional() }).optional(),
  vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a variable name'), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** The heading of the step after which service counts as restored (ends the achieved RTO). */
  recovered: z.string().optional(),
  tags: z.array(z.string()).optional(),
  owner: z.string().optional(),
});
export type Frontmatter = z.infer<typeof frontmatterSchema>;

/** Every action may override how long it may run before it is stopped. */
const common = { timeout: duration.optional(), name: z.string().optional() };

/**
 * A check's expectation. SQL: a value the first column must equal, or a comparison ("> 0").
 * calcom-api/retell-api: "up" (default: the API answers) or "down" (an outage is confirmed).
 */
const expectation = z.union([z.string(), z.number(), z.boolean()]);

const checkFields = {
  ...common,
  sql: z.string().optional(),
  source: z.string().optional(),
  expect: expectation.optional(),
  http: z.url().optional(),
  method: z.enum(['GET', 'HEAD', 'POST']).optional(),
  status: integer.optional(),
  contains: z.string().optional(),
  command: z.string().optional(),
  exitCode: integer.optional(),
  'calcom-api': z.string().optional(),
  'retell-api': z.string().optional(),
};

export const CHECK_KINDS = ['sql', 'http', 'command', 'calcom-api', 'retell-api'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const SERVICE_EXPECTATIONS = ['up', 'down'] as const;
export type ServiceExpectation = (typeof SERVICE_EXPECTATIONS)[number];

function refineCheck(check: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const kinds = CHECK_KINDS.filter((kind) => check[kind] !== undefined);
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: kinds.length
        ? `a check tests one thing; found ${kinds.join(' and ')} (split it into two steps)`
        : `a check needs one of: ${CHECK_KINDS.join(', ')}`,
    });
  }
  const service = kinds.find((kind) => kind === 'calcom-api' || kind === 'retell-api');
  if (service && check.expect !== undefined && !SERVICE_EXPECTATIONS.includes(check.expect as ServiceExpectation)) {
    ctx.addIssue({
      code: 'custom',
      path: ['expect'],
      message: `a ${service} check expects "up" (the API answers) or "down" (the outage is confirmed), got ${JSON.stringify(check.expect)}`,
    });
  }
  if (check.sql !== undefined && !check.source) {
    ctx.addIssue({ code: 'custom', path: ['source'], message: 'an sql check needs "source": the configured database to query' });
  }
}

export const actionSchemas = {
  backup: z.strictObject({ action: z.literal('backup'), ...common, sources: nameList.optional(), targets: nameList.optional() }),
  restore: z
    .strictObject({
      action: z.literal('restore'),
      ...common,
      source: z.string().optional(),
      /** Every source of the set (restore --all): the whole server. */
      all: flag.optional(),
      set: z.string().default('latest'),
      into: z.string().optional(),
      /** Only these tables, each replaced in the live database, all from the same set. */
      table: tableList.optional(),
      /** With all: re-root every files item below this folder. */
      root: z.string().optional(),
    })
    // Runs even when another key is wrong, so a missing source is reported with the rest.
    .superRefine(
      (restore, ctx) => {
        const all = restore.all === true || (restore.all as unknown) === 'true';
        if (all && restore.source) ctx.addIssue({ code: 'custom', path: ['all'], message: '"all" restores every source; "source" restores one: use one of them' });
        else if (!all && !restore.source) ctx.addIssue({ code: 'custom', path: ['source'], message: 'missing: name the configured source to restore' });
        if (all && (restore.into || restore.table)) ctx.addIssue({ code: 'custom', path: ['all'], message: '"all" takes no "into" or "table" (use "root" to re-root files)' });
        if (restore.root && !all) ctx.addIssue({ code: 'custom', path: ['root'], message: '"root" goes with all: true' });
      },
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    ),
  verify: z.strictObject({ action: z.literal('verify'), ...common, set: z.string().default('latest'), deep: flag.default(false) }),
  check: z.strictObject({ action: z.literal('check'), ...checkFields }).superRefine(refineCheck),
  wait: z
    .strictObject({ action: z.literal('wait'), ...checkFields, interval: duration.default('15s') })
    .superRefine(refineCheck),
  sync: z.strictObject({
    action: z.literal('sync'),
    ...common,
    source: z.string({ error: 'missing: name the configured calcom or retell source to sync' }),
    direction: z.enum(['pull', 'push']).default('pull'),
    from: z.string().default('latest'),
    apply: flag.default(false),
  }),
  /** Point numbers at a backup agent and/or a fallback number (to: backup), and back (to: normal). */
  'retell-route': z
    .strictObject({
      action: z.literal('retell-route'),
      ...common,
      source: z.string({ error: 'missing: name the configured retell source' }),
      /** report: only say which numbers can be forwarded at the carrier (from the mirror; works while Retell is down). */
      to: z.enum(['backup', 'normal', 'report']),
      agent: z.string().optional(),
      fallback: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected a phone number in E.164 form, such as +4930123456').optional(),
      numbers: z.union([z.string().transform((text) => text.split(',').map((entry) => entry.trim()).filter(Boolean)), z.array(z.string())]).default([]),
    })
    .refine((route) => route.to !== 'backup' || route.agent !== undefined || route.fallback !== undefined, { message: 'to: backup needs "agent" (the backup agent) or "fallback" (a number)' }),
  /** Switch the phone agent's booking tool to taking callbacks (mode: on) and back (mode: off). */
  'calcom-fallback': z
    .strictObject({
      action: z.literal('calcom-fallback'),
      ...common,
      source: z.string({ error: 'missing: name the configured retell source of the phone agent' }),
      agent: z.string({ error: 'missing: the phone agent, by name' }),
      tool: z.string({ error: 'missing: the name of its booking tool' }),
      'callback-url': z.url().optional(),
      mode: z.enum(['on', 'off']),
    })
    .refine((fallback) => fallback.mode === 'off' || fallback['callback-url'] !== undefined, { message: 'mode: on needs "callback-url": where callback requests go' }),
  /**
   * `drc init --from` inside an incident (server lost): the config of the newest authenticated
   * set at `from`, written where DRC_CONFIG (or the conf store) says. Runs in drc itself, so the
   * passphrase and bucket keys never go to a child process. Empty strings mean "not given".
   */
  init: z.strictObject({
    action: z.literal('init'),
    ...common,
    from: z.string({ error: 'missing: s3://bucket/prefix or a folder holding the sets' }).min(1),
    host: z.string().optional(),
    endpoint: z.string().optional(),
    region: z.string().optional(),
    'access-key-env': z.string().optional(),
    'secret-key-env': z.string().optional(),
    'passphrase-env': z.string().optional(),
    'trust-key': z.string().optional(),
    'allow-unsigned': flag.optional(),
  }),
};

export type ActionName = keyof typeof actionSchemas;
export const ACTION_NAMES = Object.keys(actionSchemas) as ActionName[];
export type BackupAction = z.infer<typeof actionSchemas.backup>;
export type RestoreAction = z.infer<typeof actionSchemas.restore>;
export type VerifyAction = z.infer<typeof actionSchemas.verify>;
export type CheckAction = z.infer<typeof actionSchemas.check>;
export type WaitAction = z.infer<typeof actionSchemas.wait>;
export type SyncAction = z.infer<typeof actionSchemas.sync>;
export type RetellRouteAction = z.infer<(typeof actionSchemas)['retell-route']>;
export type CalcomFallbackAction = z.infer<(typeof actionSchemas)['calcom-fallback']>;
export type InitAction = z.infer<typeof actionSchemas.init>;
export type Action = BackupAction | RestoreAction | VerifyAction | CheckAction | WaitAction | SyncAction | RetellRouteAction | CalcomFallbackAction | InitAction;
/** The check part of a check or wait action. */
export type CheckSpec = Omit<CheckAction, 'action'>;

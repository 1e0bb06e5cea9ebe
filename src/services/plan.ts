import { isDeepStrictEqual } from 'node:util';

/**
 * A rebuild plan for one SaaS source: what a push would create or change, matched by name or
 * slug (ids differ between the backup and the live account), in the order it must happen.
 * Planning is pure: these helpers see data, never the network.
 */
export interface PlanAction {
  /** "schedule", "event-type", "webhook", "agent", "phone-number", … */
  resource: string;
  /** What identifies it across accounts: name, slug, URL, phone number. */
  key: string;
  /** manual: drc cannot do it through the API; the note says what a person must do. */
  action: 'create' | 'update' | 'manual';
  /** The fields that differ (update) or a note (manual). */
  changes: string[];
}

export interface ServicePlan<A extends PlanAction = PlanAction> {
  source: string;
  type: 'calcom' | 'retell';
  actions: A[];
  /** Resources that already match, as "resource key". */
  unchanged: string[];
}

/** Actions a push would carry out (manual ones are only reported). */
export function pendingActions<A extends PlanAction>(plan: ServicePlan<A>): A[] {
  return plan.actions.filter((action) => action.action !== 'manual');
}

/** The top-level keys of `desired` whose values differ in `live`. */
export function diffFields(desired: Record<string, unknown>, live: Record<string, unknown>): string[] {
  return Object.keys(desired).filter((key) => !isDeepStrictEqual(normalize(desired[key]), normalize(live[key])));
}

/** null and missing mean the same to both APIs; arrays/objects compare structurally. */
function normalize(value: unknown): unknown {
  return value === null ? undefined : value;
}

/** A copy without the keys the API sets itself (ids, timestamps, owners). */
export function withoutKeys<T extends Record<string, unknown>>(value: T, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)));
}

/** Plans go in name order, so two runs print the same plan whatever order the API listed. */
export function sortedBy<T>(items: T[], keyOf: (item: T) => string): T[] {
  return [...items].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

/** The lines a person reads: one per action, then a count of what already matches. */
export function describePlan(plan: ServicePlan): string[] {
  const lines = plan.actions.map((action) => {
    const mark = action.action === 'create' ? '+' : action.action === 'update' ? '~' : '!';
    const detail = action.changes.length > 0 ? ` (${action.changes.join(', ')})` : '';
    return `  ${mark} ${action.action} ${action.resource} ${action.key}${detail}`;
  });
  const pending = pendingActions(plan).length;
  const summary =
    pending === 0
      ? `${plan.source}: nothing to do; ${plan.unchanged.length} resources already match`
      : `${plan.source}: ${pending} change${pending === 1 ? '' : 's'} to make, ${plan.unchanged.length} resources already match`;
  return [summary, ...lines];
}

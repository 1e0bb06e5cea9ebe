import { DrcError } from '../errors.js';
import type { Emit } from '../events.js';
import { applyCalcomPlan, type AppliedAction } from './calcom/apply.js';
import { createCalcomClient } from './calcom/client.js';
import { planCalcomPush } from './calcom/plan.js';
import { fetchCalcomConfig, fetchCalcomSnapshot } from './calcom/snapshot.js';
import { calcomSnapshotSchema, countCalcomSnapshot, type CalcomConfigState, type CalcomSnapshot } from './calcom/types.js';
import type { ServicePlan } from './plan.js';
import { applyRetellPlan, type RoutedBindingSink } from './retell/apply.js';
import { createRetellClient, listAgentPage } from './retell/client.js';
import { planRetellPush, type RetellPlanOptions } from './retell/plan.js';
import { fetchRetellConfig, fetchRetellSnapshot } from './retell/snapshot.js';
import { countRetellSnapshot, retellSnapshotSchema, type RetellConfigState, type RetellSnapshot } from './retell/types.js';
import type { ClientTuning, ServiceSourceConfig } from './service-key.js';

export type ServiceSnapshot = CalcomSnapshot | RetellSnapshot;

/**
 * One configured SaaS source behind a common face, so the backup source, the mirror, the
 * sync commands and the playbook actions do not care which vendor they talk to.
 */
export interface SyncService {
  readonly name: string;
  readonly type: 'calcom' | 'retell';
  snapshot(onWarning?: (message: string) => void): Promise<ServiceSnapshot>;
  /** Plans a push of `desired` against the live account (reads the live state). `routed`: numbers drc routed to a backup. */
  plan(desired: ServiceSnapshot, options?: RetellPlanOptions & { onRouted?: RoutedBindingSink }): Promise<{ plan: ServicePlan; apply(emit: Emit): Promise<AppliedAction[]> }>;
  /** One cheap authenticated request: proves the API answers and the key is accepted. */
  probe(): Promise<string>;
}

export function openSyncService(config: ServiceSourceConfig, tuning: ClientTuning = {}): SyncService {
  if (config.type === 'calcom') {
    const client = createCalcomClient(config, tuning);
    return {
      name: config.name,
      type: 'calcom',
      snapshot: () => fetchCalcomSnapshot(client, { bookingsDays: config.bookingsDays }),
      async plan(desired) {
        const live: CalcomConfigState = await fetchCalcomConfig(client);
        const plan = planCalcomPush(config.name, desired as CalcomSnapshot, live);
        return { plan, apply: (emit) => applyCalcomPlan(client, plan, live, emit) };
      },
      async probe() {
        const me = await client.get<{ username?: string | null; email?: string }>('/v2/me');
        return `Cal.com API answers at ${client.baseUrl} (user ${me.username ?? me.email ?? 'unknown'})`;
      },
    };
  }
  const client = createRetellClient(config, tuning);
  return {
    name: config.name,
    type: 'retell',
    snapshot: (onWarning) => fetchRetellSnapshot(client, { callsDays: config.callsDays, recordings: config.recordings, onWarning }),
    async plan(desired, options = {}) {
      const live: RetellConfigState = await fetchRetellConfig(client);
      const plan = planRetellPush(config.name, desired as RetellSnapshot, live, options);
      return { plan, apply: (emit) => applyRetellPlan(client, plan, live, emit, options.onRouted) };
    },
    async probe() {
      const agents = await listAgentPage(client, 1);
      return `Retell API answers at ${client.baseUrl} (${agents.items.length > 0 ? 'agents present' : 'no agents'})`;
    },
  };
}

export function countSnapshot(snapshot: ServiceSnapshot): Record<string, number> {
  return isCalcomSnapshot(snapshot) ? countCalcomSnapshot(snapshot) : countRetellSnapshot(snapshot);
}

export function isCalcomSnapshot(snapshot: ServiceSnapshot): snapshot is CalcomSnapshot {
  return 'eventTypes' in snapshot;
}

/** Validates a snapshot document (mirror file or backup item) for the expected source type. */
export function parseSnapshot(type: 'calcom' | 'retell', text: string, where: string): ServiceSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new DrcError(`${where}: not valid JSON`, { hint: 'the file is damaged; pull a fresh snapshot or use a backup set' });
  }
  const result = (type === 'calcom' ? calcomSnapshotSchema : retellSnapshotSchema).safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new DrcError(`${where}: not a ${type} snapshot (${issue.path.join('.') || 'document'}: ${issue.message})`, {
      hint: `check that the source named is of type ${type}`,
    });
  }
  return result.data;
}

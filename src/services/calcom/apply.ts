import { DrcError } from '../../errors.js';
import type { Emit } from '../../events.js';
import { pendingActions } from '../plan.js';
import { CALCOM_API_VERSION, type CalcomClient } from './client.js';
import type { CalcomAction, CalcomPlan } from './plan.js';
import type { CalcomConfigState } from './types.js';

export interface AppliedAction {
  resource: string;
  key: string;
  action: 'create' | 'update';
  /** The id the live account gave it. */
  id: number | string;
}

type Saved = { id: number | string };

/**
 * Carries out a Cal.com plan in its order, remembering the ids the account assigns so later
 * steps (event types → schedules, webhooks → event types) point at the new resources.
 */
export async function applyCalcomPlan(client: CalcomClient, plan: CalcomPlan, live: CalcomConfigState, emit: Emit): Promise<AppliedAction[]> {
  const scheduleIds = new Map(live.schedules.map((schedule) => [schedule.name, schedule.id]));
  const eventTypeIds = new Map(live.eventTypes.map((eventType) => [eventType.slug, eventType.id]));
  const applied: AppliedAction[] = [];
  for (const action of pendingActions(plan)) {
    const id = await applyAction(client, action, scheduleIds, eventTypeIds);
    if (action.resource === 'schedule') scheduleIds.set(action.key, Number(id));
    if (action.resource === 'event-type') eventTypeIds.set(action.key, Number(id));
    applied.push({ resource: action.resource, key: action.key, action: action.action as AppliedAction['action'], id });
    emit({ type: 'log', level: 'info', message: `${plan.source}: ${action.action}d ${action.resource} ${action.key} (id ${id})` });
  }
  return applied;
}

async function applyAction(
  client: CalcomClient,
  action: CalcomAction,
  scheduleIds: Map<string, number>,
  eventTypeIds: Map<string, number>,
): Promise<number | string> {
  const body = action.body ?? {};
  switch (action.resource) {
    case 'profile': {
      const saved = await client.patch<{ id: number }>('/v2/me', body);
      return saved.id;
    }
    case 'schedule': {
      const version = { version: CALCOM_API_VERSION.schedules };
      // isDefault is required on create; the default is set last, once every schedule exists.
      const saved =
        action.action === 'create'
          ? await client.post<{ id: number }>('/v2/schedules', { ...body, isDefault: false }, version)
          : await client.patch<{ id: number }>(`/v2/schedules/${action.liveId}`, body, version);
      return saved.id;
    }
    case 'event-type': {
      const scheduleId = action.scheduleName ? requireId(scheduleIds, action.scheduleName, 'schedule', action) : undefined;
      const payload = { ...body, ...(scheduleId ? { scheduleId } : {}) };
      const version = { version: CALCOM_API_VERSION.eventTypes };
      const saved =
        action.action === 'create'
          ? await client.post<{ id: number }>('/v2/event-types', payload, version)
          : await client.patch<{ id: number }>(`/v2/event-types/${action.liveId}`, payload, version);
      return saved.id;
    }
    case 'webhook': {
      const base = action.eventTypeSlug ? `/v2/event-types/${requireId(eventTypeIds, action.eventTypeSlug, 'event type', action)}/webhooks` : '/v2/webhooks';
      const saved =
        action.action === 'create'
          ? await client.post<Saved>(base, body)
          : await client.patch<Saved>(`${base}/${encodeURIComponent(String(action.liveId))}`, body);
      return saved.id;
    }
    case 'private-link': {
      const eventTypeId = requireId(eventTypeIds, action.eventTypeSlug!, 'event type', action);
      const saved = await client.post<{ linkId: string }>(`/v2/event-types/${eventTypeId}/private-links`, body, { version: CALCOM_API_VERSION.eventTypes });
      return saved.linkId;
    }
    case 'ooo': {
      const saved =
        action.action === 'create' ? await client.post<Saved>('/v2/me/ooo', body) : await client.patch<Saved>(`/v2/me/ooo/${action.liveId}`, body);
      return saved.id;
    }
    case 'team-event-type': {
      const version = { version: CALCOM_API_VERSION.eventTypes };
      const base = `/v2/teams/${action.teamId}/event-types`;
      const saved = action.action === 'create' ? await client.post<Saved>(base, body, version) : await client.patch<Saved>(`${base}/${action.liveId}`, body, version);
      return saved.id;
    }
    case 'default-schedule': {
      const scheduleId = requireId(scheduleIds, action.scheduleName ?? action.key, 'schedule', action);
      await client.patch('/v2/me', { defaultScheduleId: scheduleId });
      return scheduleId;
    }
    case 'calendar':
    case 'conferencing':
    case 'team':
      throw new DrcError(`${action.resource} ${action.key} needs a person: ${action.changes.join('; ')}`);
  }
}

function requireId(ids: Map<string, number>, name: string, what: string, action: CalcomAction): number {
  const id = ids.get(name);
  if (id === undefined) {
    throw new DrcError(`cannot ${action.action} ${action.resource} ${action.key}: ${what} "${name}" exists neither live nor in the plan`, {
      hint: 'the snapshot is inconsistent; take a fresh one with "drc sync pull" or choose another set',
    });
  }
  return id;
}

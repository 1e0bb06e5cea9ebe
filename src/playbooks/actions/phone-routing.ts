import { DrcError } from '../../errors.js';
import { findServiceSource, reportingWaits } from '../../services/actions.js';
import { loadMirror } from '../../services/mirror.js';
import { switchBookingBack, switchBookingToCallback } from '../../services/retell/booking-fallback.js';
import { createRetellClient } from '../../services/retell/client.js';
import { describeForwarding, routeBack, routeToBackup } from '../../services/retell/route.js';
import { isForwardable, type RetellSnapshot } from '../../services/retell/types.js';
import type { CalcomFallbackAction, RetellRouteAction } from '../schema.js';
import type { ActionContext, ActionResult } from './types.js';

/**
 * `action: retell-route` and `action: calcom-fallback`: what keeps the phones answered in the
 * first minutes of a Retell or Cal.com outage. Both record what they changed (stateDir/routes/)
 * so the way back restores exactly that.
 */
export async function runRetellRouteAction(route: RetellRouteAction, context: ActionContext): Promise<ActionResult> {
  const { source, client } = openRetell(context, route.source, 'retell-route');
  if (route.to === 'normal') {
    const back = await routeBack(client, { source: source.name, stateDir: context.stateDir, numbers: route.numbers }, context.line);
    return { detail: back.length > 0 ? `routed back: ${back.join(', ')}` : 'nothing was routed' };
  }
  // Which numbers can be forwarded at the carrier is known from the mirror, even while Retell does not answer.
  const mirror = (await loadMirror(context.stateDir, source.name, 'retell').catch(() => undefined)) as RetellSnapshot | undefined;
  if (mirror) for (const text of describeForwarding(mirror.phoneNumbers)) context.line(text);
  else context.line(`no mirror of ${source.name}: run "drc sync pull ${source.name}" while Retell is up to know which numbers can be forwarded`);
  if (route.to === 'report') {
    if (!mirror) throw new DrcError(`no mirror of ${source.name} to tell which numbers can be forwarded`, { hint: `next time, keep it fresh with "drc sync pull ${source.name}" from cron` });
    const forwardable = mirror.phoneNumbers.filter(isForwardable).map((number) => number.phone_number);
    return { detail: `${forwardable.length} of ${mirror.phoneNumbers.length} numbers can be forwarded at the carrier${forwardable.length > 0 ? `: ${forwardable.join(', ')}` : ''}` };
  }
  const routed = await routeToBackup(client, { source: source.name, stateDir: context.stateDir, numbers: route.numbers, agent: route.agent, fallback: route.fallback }, context.line);
  return { detail: `routed ${routed.join(', ')}` };
}

export async function runCalcomFallbackAction(fallback: CalcomFallbackAction, context: ActionContext): Promise<ActionResult> {
  const { source, client } = openRetell(context, fallback.source, 'calcom-fallback');
  const request = { source: source.name, stateDir: context.stateDir, agent: fallback.agent, tool: fallback.tool, callbackUrl: fallback['callback-url'] };
  const outcome = fallback.mode === 'on' ? await switchBookingToCallback(client, request, context.line) : await switchBookingBack(client, request, context.line);
  return { detail: `${fallback.agent}: callbacks ${fallback.mode} (${outcome})` };
}

function openRetell(context: ActionContext, sourceName: string, what: string) {
  if (!context.config) throw new DrcError(`${what} needs a config naming the Retell source`, { hint: 'pass --config PATH' });
  const source = findServiceSource(context.config, sourceName);
  if (source.type !== 'retell') throw new DrcError(`${what}: source ${sourceName} is ${source.type}, not retell`);
  return { source, client: createRetellClient(source, reportingWaits(context.emit, source.name, { signal: context.signal })) };
}

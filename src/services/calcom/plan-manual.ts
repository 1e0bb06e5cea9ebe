import type { CalcomAction } from './plan.js';
import type { CalcomConfigState } from './types.js';

/**
 * What the Cal.com API cannot recreate and a person must: calendar connections (OAuth with
 * Google/Microsoft/Apple), which of their calendars are checked for conflicts, where new
 * bookings are written, and conferencing apps (OAuth too). Each missing one is a checklist item
 * of the push plan; once a person has done it, the next plan finds it and lists nothing.
 */
export function planCalcomManualSteps(desired: CalcomConfigState, live: CalcomConfigState): CalcomAction[] {
  const actions: CalcomAction[] = [];
  for (const connection of desired.calendars.connectedCalendars) {
    const account = connection.primary?.externalId ?? connection.integration.type;
    const title = connection.integration.title ?? connection.integration.type;
    const liveConnection = live.calendars.connectedCalendars.find(
      (entry) => entry.integration.type === connection.integration.type && (entry.primary?.externalId ?? entry.integration.type) === account,
    );
    const selected = (connection.calendars ?? []).filter((calendar) => calendar.isSelected).map((calendar) => calendar.name ?? calendar.externalId);
    if (!liveConnection) {
      actions.push({ resource: 'calendar', key: `${title} ${account}`, action: 'manual', changes: [`connect ${title} as ${account} (Settings → Calendars)${selected.length > 0 ? ` and check for conflicts: ${selected.join(', ')}` : ''}`] });
      continue;
    }
    const liveSelected = new Set((liveConnection.calendars ?? []).filter((calendar) => calendar.isSelected).map((calendar) => calendar.name ?? calendar.externalId));
    const missing = selected.filter((name) => !liveSelected.has(name));
    if (missing.length > 0) actions.push({ resource: 'calendar', key: `${title} ${account}`, action: 'manual', changes: [`check for conflicts: ${missing.join(', ')} (Settings → Calendars)`] });
  }
  const destination = desired.calendars.destinationCalendar;
  const liveDestination = live.calendars.destinationCalendar;
  if (destination && (liveDestination?.externalId !== destination.externalId || liveDestination.integration !== destination.integration)) {
    actions.push({ resource: 'calendar', key: `destination ${destination.externalId}`, action: 'manual', changes: [`write new bookings to ${destination.externalId} (${destination.integration}) (Settings → Calendars → Add to calendar)`] });
  }
  for (const app of desired.conferencing) {
    if (live.conferencing.some((entry) => entry.type === app.type)) continue;
    actions.push({ resource: 'conferencing', key: app.appId ?? app.type, action: 'manual', changes: [`install and connect ${app.appId ?? app.type} (Apps → Conferencing); event types that use it show no video link until then`] });
  }
  return actions;
}

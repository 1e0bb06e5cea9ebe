import type { JournalEvent } from './journal-schema.js';
import type { IncidentState } from './reducer.js';

/** Every journal event a reader of the post-mortem cares about, as one table row each. */
export function renderTimeline(state: IncidentState, events: readonly JournalEvent[]): string {
  const title = (step: number) => `step ${step + 1} "${state.steps[step]?.title ?? '?'}"`;
  const rows: string[] = [];
  for (const event of events) {
    const text = describe(event, title);
    if (text) rows.push(`| ${event.at.slice(0, 19).replace('T', ' ')} | ${text.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
  }
  return ['| time | event |', '|---|---|', ...rows].join('\n');
}

function describe(event: JournalEvent, title: (step: number) => string): string | undefined {
  switch (event.type) {
    case 'incident-started':
      return `incident opened by ${event.user} on ${event.host}${event.lostAt ? `; data lost at ${event.lostAt}` : ''}`;
    case 'incident-resumed':
      return `resumed by ${event.user} on ${event.host}`;
    case 'step-started':
      return `${title(event.step)} started${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
    case 'action-finished':
      return `${title(event.step)}: command passed${event.detail ? ` (${event.detail})` : ''}${event.restored ? `; restored ${event.restored.source} from ${event.restored.setId}` : ''}`;
    case 'checklist-ticked':
      return `${title(event.step)}: confirmed "${event.text}" (${event.by})`;
    case 'step-finished':
      return `${title(event.step)} done`;
    case 'step-failed':
      return `${title(event.step)} **failed**: ${event.error}`;
    case 'step-skipped':
      return `${title(event.step)} skipped: ${event.reason}`;
    case 'step-interrupted':
      return `${title(event.step)} interrupted: ${event.reason}`;
    case 'note':
      return `note (${event.kind}): ${event.text}`;
    case 'incident-finished':
      return `incident ${event.status}${event.reason ? `: ${event.reason}` : ''}`;
    default:
      return undefined;
  }
}

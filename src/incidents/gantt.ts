import type { IncidentMeasures } from './measures.js';
import type { IncidentState } from './reducer.js';

/**
 * A mermaid gantt of the steps (GitHub and GitLab render it): one bar per step from its
 * first start to its end, failed attempts marked critical, and a milestone where service
 * was restored.
 */
export function renderGantt(state: IncidentState, measures: IncidentMeasures): string {
  const spanMs = (measures.endedAt ?? new Date(state.lastEventAt)).getTime() - measures.startedAt.getTime();
  const lines = [
    '```mermaid',
    'gantt',
    `  title ${label(state.start.playbook.title)} (${state.id})`,
    '  dateFormat YYYY-MM-DD HH:mm:ss',
    `  axisFormat ${spanMs < 3_600_000 ? '%H:%M:%S' : '%H:%M'}`,
  ];
  const recoveredAt = measures.rto.recoveredAt?.getTime();
  let section = '';
  for (const step of state.steps) {
    if (!step.firstStartedAt) continue;
    const start = new Date(step.firstStartedAt);
    const phase = recoveredAt !== undefined && start.getTime() >= recoveredAt ? 'After recovery' : 'Recovery';
    if (phase !== section) {
      lines.push(`  section ${phase}`);
      section = phase;
    }
    const end = step.endedAt ? new Date(step.endedAt).getTime() : new Date(state.lastEventAt).getTime();
    const seconds = Math.max(1, Math.round((end - start.getTime()) / 1000));
    const tag = step.status === 'done' ? 'done, ' : step.status === 'skipped' ? '' : 'crit, ';
    lines.push(`  ${label(`${step.index + 1}. ${step.title}`)} :${tag}s${step.index + 1}, ${formatTime(start)}, ${seconds}s`);
  }
  if (measures.rto.recoveredAt) {
    lines.push(`  Service restored :milestone, rto, ${formatTime(measures.rto.recoveredAt)}, 0s`);
  }
  lines.push('```');
  return lines.join('\n');
}

/** Mermaid task names may not contain ":", "#" or ";". */
function label(text: string): string {
  return text.replace(/[:#;`]/g, ' ').replace(/\s+/g, ' ').trim();
}

function formatTime(time: Date): string {
  return time.toISOString().slice(0, 19).replace('T', ' ');
}

import type { Command } from 'commander';
import { EXIT } from '../../errors.js';
import { commandAction } from '../context.js';

export function registerIncidents(program: Command): void {
  program
    .command('incidents')
    .description('list incidents, newest first: open ones can be resumed, finished ones reported')
    .action(
      commandAction(async (context) => {
        const { stateDir } = await context.loadConfig();
        const { listIncidents } = await import('../../incidents/incident-store.js');
        const incidents = listIncidents(stateDir);
        const rows = incidents.map((entry) => {
          const state = entry.state;
          if (!state) return { id: entry.id, status: 'damaged', problem: entry.problem };
          const finished = state.steps.filter((step) => step.status === 'done' || step.status === 'skipped').length;
          const next = state.nextStep === undefined ? undefined : state.steps[state.nextStep];
          return {
            id: entry.id,
            status: state.status,
            title: state.start.playbook.title,
            startedAt: state.startedAt,
            finishedAt: state.finishedAt,
            steps: `${finished}/${state.steps.length}`,
            ...(state.status === 'open' && next ? { at: `step ${next.index + 1} "${next.title}" (${next.status})` } : {}),
          };
        });
        if (!context.json) {
          for (const row of rows) {
            const detail = 'problem' in row ? row.problem : `${row.title}, ${row.steps} steps${row.at ? `, at ${row.at}` : ''}`;
            context.emit({ type: 'log', level: 'info', message: `${row.id}  ${row.status.padEnd(8)}  ${detail}` });
          }
        }
        const open = rows.filter((row) => row.status === 'open').length;
        context.emit({
          type: 'result',
          command: 'incidents',
          exitCode: EXIT.ok,
          summary: rows.length ? `${rows.length} incident(s), ${open} open${open ? ' (continue one with "drc resume ID")' : ''}` : 'no incidents yet',
          data: { incidents: rows },
        });
        return EXIT.ok;
      }),
    );
}

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT } from '../../errors.js';
import { commandAction } from '../context.js';

interface PostmortemFlags {
  out?: string;
}

export function registerPostmortem(program: Command): void {
  program
    .command('postmortem')
    .description('write the post-mortem of an incident (markdown: timeline, RTO/RPO, gantt chart)')
    .argument('<incident>', 'incident id (see "drc incidents")')
    .option('--out <file>', 'where to write it (default: postmortem.md in the incident folder; "-" for stdout)')
    .action(
      commandAction<PostmortemFlags>(async (context, flags, args) => {
        const { stateDir } = await context.loadConfig();
        const [{ incidentDir }, { readJournal }, { renderPostmortem }] = await Promise.all([
          import('../../incidents/incident-store.js'),
          import('../../incidents/journal.js'),
          import('../../incidents/postmortem.js'),
        ]);
        const dir = incidentDir(stateDir, args[0]!);
        const markdown = renderPostmortem(readJournal(dir));
        if (flags.out === '-') {
          process.stdout.write(markdown);
          return EXIT.ok;
        }
        const file = path.resolve(flags.out ?? path.join(dir, 'postmortem.md'));
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, markdown, { mode: 0o600 });
        context.emit({ type: 'result', command: 'postmortem', exitCode: EXIT.ok, summary: `post-mortem written to ${file}`, data: { incident: args[0], file } });
        return EXIT.ok;
      }),
    );
}

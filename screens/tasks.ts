import type { LoadedConfig } from '../src/config/load.js';
import { DrcError } from '../src/errors.js';
import type { CatalogEntry } from '../src/sets/catalog.js';
import type { Emit } from '../src/events.js';
import type { TaskRun } from './hooks/use-task.js';

/** What a restore will do, in the words of DESIGN.md's restore rules, before anyone says yes. */
export function describeRestorePlan(loaded: LoadedConfig, entry: CatalogEntry, source: string): string[] {
  const item = entry.manifest?.items.find((candidate) => candidate.source === source);
  const config = loaded.config.sources.find((candidate) => candidate.name === source);
  if (item?.type === 'files') return [`Files go to a new folder next to ${config?.type === 'files' ? config.paths.join(', ') : 'the original'}; nothing existing is overwritten.`];
  return [
    `1. Load ${source} from ${entry.target} into a NEW database (<name>_restore_<time>).`,
    `2. Check it: row counts against the manifest${config && 'checks' in config && config.checks?.length ? ` and ${config.checks.length} smoke check(s)` : ''}.`,
    '3. Only then swap it in; the live database is kept, renamed (_before_<time>).',
    'A wrong key, a damaged file or a failed check stops before the live database is touched.',
  ];
}

function unavailable(what: string): TaskRun {
  return async () => {
    throw new DrcError(`${what} is not available in this drc build`, { hint: `use "drc ${what}" from a shell` });
  };
}

export function verifyTask(_loaded: LoadedConfig, _entry: CatalogEntry): TaskRun {
  return unavailable('verify');
}

export function restoreTask(_loaded: LoadedConfig, _entry: CatalogEntry, _source: string): TaskRun {
  return unavailable('restore');
}

export async function runDrillTask(_loaded: LoadedConfig, emit: Emit, signal: AbortSignal): Promise<{ exitCode: number }> {
  return unavailable('drill')(emit, signal);
}

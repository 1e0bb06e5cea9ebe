import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { DrcError, errorMessage } from '../errors.js';
import { PROJECT_ROOT } from '../version.js';
import { parsePlaybook, type ParseOptions } from './parse.js';
import { suggestName } from './suggest.js';
import type { Playbook } from './types.js';

export const BUNDLED_PLAYBOOKS_DIR = path.join(PROJECT_ROOT, 'playbooks');

export type LoadOptions = Omit<ParseOptions, 'file'> & {
  /** Where relative entries of config.playbooks are resolved (the config file's folder). */
  configDir?: string;
};

export function loadPlaybookFile(file: string, options: Omit<ParseOptions, 'file'> = {}): Playbook {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new DrcError(`playbook ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`, {
      hint: 'pass a path to a markdown file, or a playbook id from "drc playbooks"',
    });
  }
  return parsePlaybook(text, { ...options, file: absolute });
}

/** PLAYBOOK on the command line: a path to a file, or the id of a bundled or configured playbook. */
export function resolvePlaybook(ref: string, options: LoadOptions = {}): Playbook {
  if (ref.endsWith('.md') || ref.includes('/') || existsSync(ref)) return loadPlaybookFile(ref, options);
  const entries = discoverPlaybooks(options.config, options.configDir);
  const entry = entries.find((candidate) => candidate.id === ref);
  if (!entry) {
    const suggestion = suggestName(ref, entries.map((candidate) => candidate.id));
    throw new DrcError(`no playbook "${ref}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`, {
      hint: 'run "drc playbooks" to list them, or pass a path to a markdown file',
    });
  }
  return loadPlaybookFile(entry.file, options);
}

export interface PlaybookEntry {
  id: string;
  file: string;
  origin: 'bundled' | 'config';
}

/**
 * The playbooks drc knows: those named by config.playbooks (folders or files) first, then
 * the bundled ones; a configured playbook with a bundled one's id replaces it.
 */
export function discoverPlaybooks(config?: Config, configDir = process.cwd()): PlaybookEntry[] {
  const entries: PlaybookEntry[] = [];
  const seen = new Set<string>();
  const add = (file: string, origin: PlaybookEntry['origin']) => {
    const id = readId(file) ?? path.basename(file, '.md');
    if (seen.has(id)) return;
    seen.add(id);
    entries.push({ id, file, origin });
  };
  for (const entry of config?.playbooks ?? []) {
    for (const file of markdownFiles(path.resolve(configDir, entry))) add(file, 'config');
  }
  for (const file of markdownFiles(BUNDLED_PLAYBOOKS_DIR)) add(file, 'bundled');
  return entries;
}

function markdownFiles(where: string): string[] {
  try {
    if (!statSync(where).isDirectory()) return [where];
    return readdirSync(where)
      .filter((name) => name.endsWith('.md') && name.toLowerCase() !== 'readme.md')
      .sort()
      .map((name) => path.join(where, name));
  } catch {
    return [];
  }
}

/** The frontmatter id without a full parse, so a broken playbook is still listed under its id. */
function readId(file: string): string | undefined {
  try {
    const head = readFileSync(file, 'utf8').slice(0, 4000);
    return /^---\r?\n[\s\S]*?^id:\s*["']?([\w-]+)["']?\s*$/m.exec(head)?.[1];
  } catch {
    return undefined;
  }
}

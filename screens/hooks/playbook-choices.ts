import type { LoadedConfig } from '../../src/config/load.js';
import { configFolder } from '../../src/config/config-folder.js';
import { errorMessage } from '../../src/errors.js';
import { discoverPlaybooks, loadPlaybookFile } from '../../src/playbooks/load.js';
import type { PlaybookChoice } from '../playbook-picker.js';

/**
 * Bundled and configured playbooks, each parsed against the config so a broken one says why;
 * the usable ones first. `vars` are like --var (the demo sets its app folder).
 */
export function loadPlaybookChoices(loaded: LoadedConfig, vars?: Record<string, string>): PlaybookChoice[] {
  const choices: PlaybookChoice[] = discoverPlaybooks(loaded.config, configFolder(loaded)).map((entry) => {
    try {
      const playbook = loadPlaybookFile(entry.file, { config: loaded.config, ...(vars ? { vars } : {}) });
      return { ...entry, playbook, problem: undefined };
    } catch (error) {
      return { ...entry, playbook: undefined, problem: errorMessage(error) };
    }
  });
  return [...choices.filter((choice) => choice.playbook), ...choices.filter((choice) => !choice.playbook)];
}

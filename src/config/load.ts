import Conf from 'conf';
import { DrcError } from '../errors.js';
import { readConfigFile, toLoadedConfig, type LoadedConfig } from './parse.js';

export { DEFAULT_STATE_DIR, parseConfig, readConfigFile, type LoadedConfig } from './parse.js';

/** The conf store used when neither --config nor DRC_CONFIG names a file. */
export function openConfigStore(): Conf<Record<string, unknown>> {
  return new Conf<Record<string, unknown>>({ projectName: 'drconsole', projectSuffix: '' });
}

/** The config named by --config, else by DRC_CONFIG, else the one in the conf store. */
export function loadConfig(explicitPath?: string): LoadedConfig {
  const file = explicitPath ?? process.env.DRC_CONFIG;
  return file ? readConfigFile(file) : readConfigStore();
}

function readConfigStore(): LoadedConfig {
  const store = openConfigStore();
  if (!store.has('sources')) {
    throw new DrcError('no config: neither --config, DRC_CONFIG nor the conf store names one', {
      hint: 'run "drc init" to write one, or pass --config PATH',
    });
  }
  return toLoadedConfig(store.store, `conf store (${store.path})`);
}

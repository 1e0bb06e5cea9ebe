import type { Config, SourceConfig } from '../config/schema.js';
import type { Action } from './schema.js';
import { didYouMean } from './suggest.js';
import type { Report } from './yaml-block.js';

type LineOf = (key: string) => number;

/**
 * Source and target names in actions, checked against the config when there is one, so a
 * playbook that names "app-db" on a host whose config calls it "main-db" fails at load time.
 */
export function checkNamesInConfig(action: Action, config: Config, lineOf: LineOf, report: Report): void {
  const source = (key: string, name: string, types?: Array<SourceConfig['type']>) => {
    const found = config.sources.find((entry) => entry.name === name);
    const names = config.sources.map((entry) => entry.name);
    if (!found) {
      report(lineOf(key), `${action.action} action: no configured source "${name}"${didYouMean(name, names)}; configured: ${names.join(', ')}`);
    } else if (types && !types.includes(found.type)) {
      report(lineOf(key), `${action.action} action: source "${name}" is ${found.type}; "${key}" needs a ${types.join(' or ')} source`);
    }
  };
  const target = (name: string) => {
    const names = config.targets.map((entry) => entry.name);
    if (!names.includes(name)) {
      report(lineOf('targets'), `backup action: no configured target "${name}"${didYouMean(name, names)}; configured: ${names.join(', ')}`);
    }
  };
  switch (action.action) {
    case 'backup':
      for (const name of action.sources ?? []) source('sources', name);
      for (const name of action.targets ?? []) target(name);
      break;
    case 'restore':
      if (action.source) source('source', action.source);
      break;
    case 'sync':
      source('source', action.source, ['calcom', 'retell']);
      break;
    case 'check':
    case 'wait':
      if (action.sql !== undefined && action.source) source('source', action.source, ['postgres', 'mysql']);
      if (action['calcom-api'] !== undefined) source('calcom-api', action['calcom-api'], ['calcom']);
      if (action['retell-api'] !== undefined) source('retell-api', action['retell-api'], ['retell']);
      break;
    case 'retell-route':
    case 'calcom-fallback':
      source('source', action.source, ['retell']);
      break;
    case 'verify':
    case 'init':
      break;
  }
}


import type { Config } from '../config/schema.js';
import { checkNamesInConfig } from './validate-config.js';
import { ACTION_NAMES, actionSchemas, type Action } from './schema.js';
import { didYouMean } from './suggest.js';
import type { VarScope } from './vars.js';
import { YamlBlock, type Report } from './yaml-block.js';

/** Parses and validates one ```drc block; `firstLine` is the file line of its first YAML line. */
export function parseAction(text: string, firstLine: number, scope: VarScope, report: Report, config?: Config): Action | undefined {
  const block = new YamlBlock(text, firstLine, report);
  if (!block.checkSyntax('the drc block')) return undefined;
  if (!block.isMap()) {
    report(firstLine, `a drc block is YAML with "action:" (one of ${ACTION_NAMES.join(', ')}) and its parameters`);
    return undefined;
  }
  block.interpolateStrings(scope);
  const raw = block.toJS() as Record<string, unknown>;
  const name = raw.action;
  if (typeof name !== 'string') {
    report(firstLine, `the drc block has no "action:"; expected one of ${ACTION_NAMES.join(', ')}`);
    return undefined;
  }
  if (!Object.hasOwn(actionSchemas, name)) {
    report(block.lineOf(['action']), `unknown action "${name}"${didYouMean(name, ACTION_NAMES)}; expected one of ${ACTION_NAMES.join(', ')}`);
    return undefined;
  }
  const schema = actionSchemas[name as keyof typeof actionSchemas];
  const result = schema.safeParse(raw);
  if (!result.success) {
    block.reportIssues(result.error.issues, `${name} action`, Object.keys(schema.shape));
    return undefined;
  }
  const action = result.data as Action;
  if (config) checkNamesInConfig(action, config, (key) => block.lineOf([key]), report);
  return action;
}


import { registerSecret } from '../config/secrets.js';
import { didYouMean } from './suggest.js';

/** `${name}` is a playbook variable; `$${name}` stays literal `${name}` (for the shell to expand). */
const VARIABLE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Env var names whose values are treated as secrets when a playbook pulls them in. */
const SECRET_NAME = /pass|secret|token|api_?key|private|credential/i;

export interface VarScope {
  /** Frontmatter defaults overridden by --var. */
  vars: Record<string, string>;
  env: NodeJS.ProcessEnv;
  /** Names resolved from the environment so far (recorded by name only, never by value). */
  usedEnv: Set<string>;
}

export function createVarScope(frontmatterVars: Record<string, unknown> = {}, cliVars: Record<string, string> = {}, env = process.env): VarScope {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(frontmatterVars)) vars[name] = String(value);
  Object.assign(vars, cliVars);
  return { vars, env, usedEnv: new Set() };
}

/**
 * Replaces `${name}` with its value: frontmatter vars, then --var (which override them), then
 * the environment. Unknown names are reported with their line (relative to `text`), so a typo
 * fails at load time, not at step 6 of an incident.
 */
export function interpolate(text: string, scope: VarScope, report: (lineOffset: number, message: string) => void): string {
  return text.replace(VARIABLE, (match, escaped: string, name: string, offset: number) => {
    if (escaped) return match.slice(1);
    const value = lookupVar(scope, name);
    if (value !== undefined) return value;
    const lineOffset = text.slice(0, offset).split('\n').length - 1;
    const known = [...Object.keys(scope.vars)];
    report(
      lineOffset,
      `unknown variable "\${${name}}"${didYouMean(name, known)}; define it under "vars:" in the frontmatter, pass --var ${name}=…, or export it`,
    );
    return match;
  });
}

/**
 * A sh/bash block's script: names are checked like interpolate() does, but values are never
 * pasted into the script text. `${name}` stays for the shell to expand from the environment
 * the step runs with (the playbook's vars and the env vars it names), so a value holding shell
 * syntax (`/x; touch ./PWNED`) is data, never a command. `$${name}` stays `${name}` as before.
 */
export function referenceShellVars(text: string, scope: VarScope, report: (lineOffset: number, message: string) => void): string {
  interpolate(text, scope, report);
  return text.replace(VARIABLE, (match, escaped: string) => (escaped ? match.slice(1) : match));
}

function lookupVar(scope: VarScope, name: string): string | undefined {
  if (Object.hasOwn(scope.vars, name)) return scope.vars[name];
  const value = scope.env[name];
  if (value === undefined) return undefined;
  scope.usedEnv.add(name);
  if (SECRET_NAME.test(name)) registerSecret(value);
  return value;
}

/** Parses repeated `--var K=V` flags. */
export function parseVarFlags(flags: string[] = []): Record<string, string> | { error: string } {
  const vars: Record<string, string> = {};
  for (const flag of flags) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(flag);
    if (!match) return { error: `--var ${flag}: expected NAME=VALUE` };
    vars[match[1]!] = match[2]!;
  }
  return vars;
}

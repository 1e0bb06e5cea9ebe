/**
 * Variables a child process may inherit from drc: what finds programs, speaks the locale and
 * places temporary files. Everything else (DRC_PASSPHRASE, DB_PASSWORD, S3_SECRET, API keys,
 * whatever the operator's shell exported) stays in drc, so no secret appears in another
 * process's /proc/<pid>/environ unless that process is given it on purpose.
 */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'LC_COLLATE', 'LC_NUMERIC', 'LC_TIME', 'USER', 'LOGNAME'];

/**
 * The whole environment of a child: the inherited basics plus exactly `extra` (e.g. the one
 * PGPASSWORD or MYSQL_PWD it needs). Pass it with execa's `extendEnv: false`, or as spawn's env.
 */
export function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** execa options giving a child only childEnv(extra). */
export function childEnvOptions(extra: Record<string, string | undefined> = {}): { env: Record<string, string>; extendEnv: false } {
  return { env: childEnv(extra), extendEnv: false };
}

import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Config } from '../config/schema.js';
import { redact } from '../config/secrets.js';
import { errorMessage } from '../errors.js';
import { hostName } from '../sets/set-id.js';
import { INVENTORY_FORMAT, type Inventory, type OwnerFact, type ProbeResult } from './schema.js';
import { PROBES, type Probe } from './probes.js';

const PROBE_TIMEOUT_MS = 10_000;
/** A probe's output beyond this is cut: a package list fits many times over. */
const MAX_OUTPUT = 512 * 1024;
/** The owner walk looks this deep and at this many entries per backed-up path, no further. */
const OWNER_DEPTH = 3;
const OWNER_ENTRIES = 5_000;

/**
 * Probes run with a fixed PATH and nothing else from drc's environment: passwords and keys in
 * env vars must not reach a tool that might print its environment, and a cron PATH must not
 * decide which tools are found.
 */
const PROBE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', HOME: '/' };

/**
 * What a person rebuilding this machine needs to know about it, gathered best-effort: every
 * probe has a timeout, a missing tool is noted, and nothing here throws.
 */
export async function collectInventory(config: Config, now = new Date()): Promise<Inventory> {
  // All at once: each probe mostly waits (systemctl alone takes seconds on a busy host), and the
  // set cannot be written before the inventory is; results keep the table's order.
  const backedUp = config.sources.flatMap((source) => (source.type === 'files' ? source.paths : []));
  const [probes, { owners, paths }] = await Promise.all([Promise.all(PROBES.map(runProbe)), collectOwners(backedUp)]);
  return { format: INVENTORY_FORMAT, host: hostName(), collectedAt: now.toISOString(), probes, owners, paths };
}

async function runProbe(probe: Probe): Promise<ProbeResult> {
  const started = Date.now();
  const base = { name: probe.name, title: probe.title };
  if (probe.kind === 'files') {
    const output = await readProbeFiles(probe.files, probe.folders ?? []);
    return { ...base, command: `read ${[...probe.files, ...(probe.folders ?? []).map((folder) => `${folder}/*`)].join(' ')}`, status: output ? 'ok' : 'missing', output, durationMs: Date.now() - started };
  }
  const command = probe.argv.join(' ');
  try {
    const result = await execa(probe.argv[0], probe.argv.slice(1), {
      env: PROBE_ENV,
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      timeout: PROBE_TIMEOUT_MS,
      maxBuffer: MAX_OUTPUT * 4,
    });
    const durationMs = Date.now() - started;
    if (result.timedOut) return { ...base, command, status: 'timeout', output: '', error: `no answer within ${PROBE_TIMEOUT_MS / 1000}s`, durationMs };
    if ((result as { code?: string }).code === 'ENOENT' || result.exitCode === 127) return { ...base, command, status: 'missing', output: '', durationMs };
    const output = cut(redact(String(probe.stderr ? `${result.stderr}\n${result.stdout}` : result.stdout).trim()));
    if (result.exitCode !== 0) return { ...base, command, status: 'failed', output, error: cut(redact(String(result.stderr).trim()), 2000) || `exit ${result.exitCode}`, durationMs };
    return { ...base, command, status: 'ok', output, durationMs };
  } catch (error) {
    return { ...base, command, status: 'failed', output: '', error: redact(errorMessage(error)), durationMs: Date.now() - started };
  }
}

async function readProbeFiles(files: string[], folders: string[]): Promise<string> {
  const parts: string[] = [];
  const add = async (file: string) => {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) parts.push(`# ${file}\n${text.trimEnd()}`);
  };
  for (const file of files) await add(file);
  for (const folder of folders) {
    const names = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of names.filter((name) => name.isFile()).sort((a, b) => a.name.localeCompare(b.name))) await add(path.join(folder, entry.name));
  }
  return cut(redact(parts.join('\n\n')));
}

function cut(text: string, limit = MAX_OUTPUT): string {
  return text.length > limit ? `${text.slice(0, limit)}\n… (cut at ${limit} characters)` : text;
}

/** Users and groups that own files under the backed-up paths, with their passwd/group lines. */
async function collectOwners(paths: string[]): Promise<{ owners: OwnerFact[]; paths: Inventory['paths'] }> {
  const users = new Map<number, Set<string>>();
  const groups = new Map<number, Set<string>>();
  const top: Inventory['paths'] = [];
  for (const root of paths) {
    const info = await lstat(root).catch(() => undefined);
    if (!info) {
      top.push({ path: root, missing: true });
      continue;
    }
    top.push({ path: root, mode: (info.mode & 0o7777).toString(8).padStart(4, '0'), uid: info.uid, gid: info.gid });
    let seen = 0;
    const visit = async (file: string, depth: number, stat: { uid: number; gid: number; isDirectory(): boolean }) => {
      if (seen++ >= OWNER_ENTRIES) return;
      (users.get(stat.uid) ?? users.set(stat.uid, new Set()).get(stat.uid)!).add(root);
      (groups.get(stat.gid) ?? groups.set(stat.gid, new Set()).get(stat.gid)!).add(root);
      if (!stat.isDirectory() || depth >= OWNER_DEPTH) return;
      for (const name of await readdir(file).catch(() => [] as string[])) {
        const child = path.join(file, name);
        const childInfo = await lstat(child).catch(() => undefined);
        if (childInfo) await visit(child, depth + 1, childInfo);
      }
    };
    await visit(root, 0, info);
  }
  const passwd = await readIdFile('/etc/passwd');
  const group = await readIdFile('/etc/group');
  const describe = (kind: 'user' | 'group', ids: Map<number, Set<string>>, table: Map<number, { name: string; entry: string }>): OwnerFact[] =>
    [...ids.entries()]
      .sort(([a], [b]) => a - b)
      .map(([id, where]) => {
        const known = table.get(id);
        return { kind, id, ...(known ? { name: known.name, entry: known.entry } : {}), paths: [...where] };
      });
  return { owners: [...describe('user', users, passwd), ...describe('group', groups, group)], paths: top };
}

/** id → name and line from /etc/passwd or /etc/group (their second field is "x": no secrets). */
async function readIdFile(file: string): Promise<Map<number, { name: string; entry: string }>> {
  const table = new Map<number, { name: string; entry: string }>();
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length < 3 || !/^\d+$/.test(fields[2]!)) continue;
    const entry = [fields[0], 'x', ...fields.slice(2)].join(':');
    table.set(Number(fields[2]), { name: fields[0]!, entry });
  }
  return table;
}

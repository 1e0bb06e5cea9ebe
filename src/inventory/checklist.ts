import type { Inventory, ProbeResult } from './schema.js';

/**
 * The inventory of a lost machine as the checklist a person follows to rebuild it. Pure:
 * what is missing on the old machine is said, not guessed.
 */
export function formatChecklist(inventory: Inventory, setId: string, options: { full?: boolean } = {}): string {
  const probe = (name: string) => inventory.probes.find((entry) => entry.name === name);
  const text = (name: string) => (probe(name)?.status === 'ok' ? probe(name)!.output : '');
  const lines: string[] = [`Rebuild checklist for host ${inventory.host} (set ${setId}, inventory taken ${inventory.collectedAt})`, ''];
  const os = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text('os-release'))?.[1];
  lines.push(`[ ] 1. Machine: ${os ?? 'OS not recorded'}${text('kernel') ? `, kernel ${text('kernel')}` : ''}`);
  const disks = text('free-space').split('\n').slice(1).filter(Boolean);
  if (disks.length) lines.push('       disks on the old machine (size, used, mount):', ...disks.map((line) => `         ${summarizeDf(line)}`));

  const packages = [...text('packages-dpkg').split('\n'), ...text('packages-rpm').split('\n')].filter(Boolean);
  lines.push(`[ ] 2. Packages: ${packages.length ? `${packages.length} installed on the old machine` : 'not recorded (neither dpkg nor rpm answered)'}`);
  const versions = ['postgres', 'postgres-clusters', 'mariadb', 'mysql', 'php', 'node', 'nginx'].flatMap((name) => {
    const found = probe(name);
    return found?.status === 'ok' ? [`${found.title}: ${found.output.split('\n')[0]}`] : [];
  });
  if (versions.length) lines.push('       servers and runtimes:', ...versions.map((line) => `         ${line}`));
  if (options.full && packages.length) lines.push('       packages:', ...packages.map((line) => `         ${line.replace('\t', ' ')}`));
  else if (packages.length) lines.push('       (the full list: drc show-system SET --full)');

  const owners = inventory.owners;
  lines.push(`[ ] 3. Users and groups owning the backed-up paths (create them with the same ids before restoring files):`);
  if (!owners.length) lines.push('         none recorded');
  for (const owner of owners) lines.push(`         ${owner.kind} ${owner.name ?? '(no name)'} id ${owner.id}${owner.entry ? `  ${owner.entry}` : ''}  owns files in ${owner.paths.join(', ')}`);
  for (const entry of inventory.paths) lines.push(`         ${entry.path}: ${entry.missing ? 'missing on the old machine' : `mode ${entry.mode}, uid ${entry.uid}, gid ${entry.gid}`}`);

  lines.push(...section(4, 'Enabled services', probe('services'), (line) => line.split(/\s+/)[0]!));
  lines.push(...section(5, 'Timers', probe('timers'), (line) => line.split(/\s+/).filter((word) => /\.timer$|\.service$/.test(word)).join(' → ') || line));
  lines.push(...section(6, 'Crontabs', probe('crontabs'), (line) => line, (line) => Boolean(line.trim()) && (!line.trim().startsWith('#') || line.startsWith('# /'))));
  lines.push(...section(7, 'Listening ports', probe('listening'), summarizeSocket));
  lines.push(...section(8, 'Mounted filesystems', probe('mounts'), (line) => line));
  const notes = inventory.probes.filter((entry) => entry.status === 'failed' || entry.status === 'timeout');
  if (notes.length) lines.push('', 'probes that did not answer on the old machine:', ...notes.map((entry) => `  ${entry.title} (${entry.command}): ${entry.status}${entry.error ? `: ${entry.error}` : ''}`));
  return lines.join('\n');
}

function section(number: number, title: string, probe: ProbeResult | undefined, shorten: (line: string) => string, keep: (line: string) => boolean = (line) => Boolean(line.trim())): string[] {
  if (!probe || probe.status !== 'ok') return [`[ ] ${number}. ${title}: ${probe?.status === 'missing' ? 'not on the old machine' : `not recorded${probe?.error ? ` (${probe.error})` : ''}`}`];
  const lines = probe.output.split('\n').filter(keep).map(shorten);
  return [`[ ] ${number}. ${title} (${lines.length}):`, ...lines.map((line) => `         ${line}`)];
}

/** "Filesystem Type Size Used Avail Use% Mounted" → "/ 20G, 12G used (ext4)". */
function summarizeDf(line: string): string {
  const [device, type, size, used, , , mount] = line.split(/\s+/);
  return `${mount ?? '?'} ${size ?? '?'}, ${used ?? '?'} used (${type ?? '?'} on ${device ?? '?'})`;
}

/** An `ss -ltnup` line → "tcp 127.0.0.1:5432 postgres". */
function summarizeSocket(line: string): string {
  const fields = line.split(/\s+/);
  const program = /\(\("([^"]+)"/.exec(line)?.[1];
  return `${fields[0]} ${fields[4] ?? ''}${program ? ` ${program}` : ''}`.trim();
}

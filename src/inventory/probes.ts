/**
 * What the inventory asks the machine. Each probe is a command or a set of files; every one is
 * optional (a machine without rpm, nginx or systemd is normal) and none may stop a backup.
 */
export type Probe =
  | { name: string; title: string; kind: 'command'; argv: [string, ...string[]]; /** Output is on stderr (nginx -v, php -v on some builds). */ stderr?: boolean }
  | { name: string; title: string; kind: 'files'; files: string[]; folders?: string[] };

export const PROBES: Probe[] = [
  { name: 'os-release', title: 'Operating system', kind: 'files', files: ['/etc/os-release'] },
  { name: 'kernel', title: 'Kernel', kind: 'command', argv: ['uname', '-srm'] },
  { name: 'packages-dpkg', title: 'Installed packages (dpkg)', kind: 'command', argv: ['dpkg-query', '-W', '-f=${binary:Package}\t${Version}\n'] },
  { name: 'packages-rpm', title: 'Installed packages (rpm)', kind: 'command', argv: ['rpm', '-qa', '--qf', '%{NAME}\t%{VERSION}-%{RELEASE}\n'] },
  {
    name: 'services',
    title: 'Enabled services',
    kind: 'command',
    argv: ['systemctl', 'list-unit-files', '--type=service', '--state=enabled', '--no-legend', '--no-pager'],
  },
  { name: 'timers', title: 'Timers', kind: 'command', argv: ['systemctl', 'list-timers', '--all', '--no-legend', '--no-pager'] },
  { name: 'crontabs', title: 'Crontabs', kind: 'files', files: ['/etc/crontab'], folders: ['/etc/cron.d', '/var/spool/cron/crontabs', '/var/spool/cron'] },
  { name: 'listening', title: 'Listening ports', kind: 'command', argv: ['ss', '-H', '-ltnup'] },
  { name: 'postgres', title: 'PostgreSQL', kind: 'command', argv: ['psql', '--version'] },
  { name: 'postgres-clusters', title: 'PostgreSQL clusters', kind: 'command', argv: ['pg_lsclusters', '--no-header'] },
  { name: 'mariadb', title: 'MariaDB/MySQL', kind: 'command', argv: ['mariadb', '--version'] },
  { name: 'mysql', title: 'MySQL client', kind: 'command', argv: ['mysql', '--version'] },
  { name: 'php', title: 'PHP', kind: 'command', argv: ['php', '--version'] },
  { name: 'node', title: 'Node.js', kind: 'command', argv: ['node', '--version'] },
  { name: 'nginx', title: 'nginx', kind: 'command', argv: ['nginx', '-v'], stderr: true },
  { name: 'mounts', title: 'Mounted filesystems', kind: 'command', argv: ['findmnt', '--real', '-rn', '-o', 'TARGET,SOURCE,FSTYPE,OPTIONS'] },
  { name: 'free-space', title: 'Free space', kind: 'command', argv: ['df', '-PhT', '-x', 'tmpfs', '-x', 'devtmpfs', '-x', 'overlay', '-x', 'squashfs'] },
];

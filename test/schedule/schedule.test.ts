import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { replaceCronBlock } from '../../src/schedule/cron.js';
import { runDrc } from '../helpers/drc.js';
import { makeTempDir } from '../helpers/tmp.js';

let temp: { dir: string; cleanup: () => Promise<void> };
let configPath: string;
let envFile: string;

beforeAll(async () => {
  temp = await makeTempDir('drc-schedule-');
  configPath = path.join(temp.dir, 'drc.json');
  envFile = path.join(temp.dir, 'drc.env');
  await writeFile(
    configPath,
    JSON.stringify({
      sources: [{ name: 'app-db', type: 'postgres', url: 'postgres://postgres@/unused?host=/var/run/postgresql' }],
      targets: [{ name: 'local', type: 'local', path: path.join(temp.dir, 'backups') }],
      encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
    }),
  );
  await writeFile(envFile, 'DRC_PASSPHRASE=secret\n');
  await chmod(envFile, 0o600);
});

afterAll(async () => {
  await temp?.cleanup();
});

const schedule = (...args: string[]) =>
  runDrc(['--config', configPath, 'schedule', 'install', '--drc-command', '/usr/local/bin/drc', '--env-file', envFile, ...args]);

describe('drc schedule install --print', () => {
  test('--cron shows the crontab block: backup then prune nightly, status hourly, drill monthly', async () => {
    const run = await schedule('--cron', '--print');
    expect(run.exitCode).toBe(0);
    const drc = `/usr/local/bin/drc --config ${configPath}`;
    const env = `cd / && set -a && . ${envFile} && set +a && `;
    expect(run.stdout).toBe(
      [
        '# BEGIN drc — managed by "drc schedule install"; edits between these markers are replaced',
        `# config ${configPath}, environment ${envFile}`,
        `15 2 * * * ${env}{ ${drc} backup; ${drc} prune; }`,
        `5 * * * * ${env}${drc} status`,
        `30 4 1 * * ${env}${drc} drill`,
        '# END drc',
      ].join('\n'),
    );
  });

  test('--systemd shows services and timers with the config, environment file and user', async () => {
    const run = await schedule('--systemd', '--print', '--user', 'drc');
    expect(run.exitCode).toBe(0);
    const units = Object.fromEntries(
      run.stdout
        .split(/^# ---- /m)
        .filter(Boolean)
        .map((chunk) => [chunk.slice(0, chunk.indexOf('\n')), chunk.slice(chunk.indexOf('\n') + 1)]),
    );
    expect(Object.keys(units)).toEqual([
      'drc-backup.service',
      'drc-backup.timer',
      'drc-prune.service',
      'drc-status.service',
      'drc-status.timer',
      'drc-drill.service',
      'drc-drill.timer',
    ]);
    expect(units['drc-backup.service']).toContain(`ExecStart=/usr/local/bin/drc --config ${configPath} backup\n`);
    expect(units['drc-backup.service']).toContain(`EnvironmentFile=${envFile}\n`);
    expect(units['drc-backup.service']).toContain('User=drc\n');
    expect(units['drc-backup.service']).toContain('Wants=drc-prune.service\n');
    expect(units['drc-prune.service']).toContain('After=drc-backup.service\n');
    expect(units['drc-backup.timer']).toContain('OnCalendar=*-*-* 02:15:00\nPersistent=true\nRandomizedDelaySec=15min\n');
    expect(units['drc-status.timer']).toContain('OnCalendar=*-*-* *:05:00\n');
    expect(units['drc-status.service']).toContain('SuccessExitStatus=1 2\n');
    expect(units['drc-drill.timer']).toContain('OnCalendar=*-*-01 04:30:00\n');
  });

  test('refuses without a config file, since the jobs may run as another user', async () => {
    const run = await runDrc(['schedule', 'install', '--cron', '--print'], { env: { DRC_CONFIG: undefined, HOME: temp.dir } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('schedule install needs a config file');
    expect(run.stderr).toContain('pass --config /etc/drc/config.json');
  });
});

describe('drc schedule install', () => {
  test('puts the block into a crontab once, keeps the other lines, and replaces it in place', async () => {
    const crontab = path.join(temp.dir, 'crontab');
    const mine = '# my jobs\nMAILTO=ops@example.test\n0 3 * * * /usr/local/bin/rotate-logs\n';
    await writeFile(crontab, mine);

    const first = await schedule('--cron', '--crontab-file', crontab);
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toContain('schedule installed (cron): 1 file(s) written');
    const installed = await readFile(crontab, 'utf8');
    expect(installed.startsWith(mine + '\n# BEGIN drc')).toBe(true);
    expect(installed.endsWith('# END drc\n')).toBe(true);

    const second = await schedule('--cron', '--crontab-file', crontab);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain('schedule already installed (cron): nothing changed');
    expect(await readFile(crontab, 'utf8')).toBe(installed);

    // A line added after the block by hand survives a reinstall with other settings.
    await writeFile(crontab, installed + '30 5 * * * /usr/local/bin/other\n');
    const otherEnv = path.join(temp.dir, 'other.env');
    await writeFile(otherEnv, 'X=1\n', { mode: 0o600 });
    const changed = await runDrc(['--config', configPath, 'schedule', 'install', '--cron', '--crontab-file', crontab, '--drc-command', '/usr/local/bin/drc', '--env-file', otherEnv]);
    expect(changed.exitCode).toBe(0);
    const replaced = await readFile(crontab, 'utf8');
    expect(replaced.match(/# BEGIN drc/g)).toHaveLength(1);
    expect(replaced).toContain(`. ${otherEnv} &&`);
    expect(replaced).not.toContain(`. ${envFile} &&`);
    expect(replaced.startsWith(mine)).toBe(true);
    expect(replaced.endsWith('# END drc\n30 5 * * * /usr/local/bin/other\n')).toBe(true);
  });

  test('writes systemd units that systemd accepts, and a second run changes nothing', async () => {
    const unitDir = path.join(temp.dir, 'units');
    // systemd-analyze checks that ExecStart names an executable: use this node.
    const install = () =>
      runDrc(['--config', configPath, 'schedule', 'install', '--systemd', '--unit-dir', unitDir, '--env-file', envFile, '--drc-command', `${process.execPath} /opt/drc/dist/screens/main.js`]);
    const first = await install();
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toContain('units written; to activate them run: systemctl daemon-reload && systemctl enable --now drc-backup.timer drc-status.timer drc-drill.timer');
    const files = (await readdir(unitDir)).sort();
    expect(files).toHaveLength(7);
    expect(await readFile(path.join(unitDir, 'drc-status.service'), 'utf8')).toContain(`ExecStart=${process.execPath} /opt/drc/dist/screens/main.js --config ${configPath} status\n`);
    // systemd's own checker, where the machine has it: unknown keys and bad calendars show up here.
    const verify = await execa('systemd-analyze', ['verify', '--man=no', ...files.map((file) => `./${file}`)], { cwd: unitDir, reject: false });
    const analyzerMissing = verify.exitCode === undefined;
    if (!analyzerMissing) {
      expect(verify.stderr).toBe('');
      expect(verify.exitCode).toBe(0);
    }

    const before = await Promise.all(files.map((file) => readFile(path.join(unitDir, file), 'utf8')));
    const second = await install();
    expect(second.stderr).toContain('schedule already installed (systemd): nothing changed');
    expect(await Promise.all(files.map((file) => readFile(path.join(unitDir, file), 'utf8')))).toEqual(before);
  });

  test('warns when the environment file is readable by others', async () => {
    const loose = path.join(temp.dir, 'loose.env');
    await writeFile(loose, 'X=1\n', { mode: 0o644 });
    await chmod(loose, 0o644);
    const run = await runDrc(['--config', configPath, 'schedule', 'install', '--cron', '--print', '--drc-command', 'drc', '--env-file', loose]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain(`warning: environment file ${loose} is readable by others`);
    expect(run.stderr).toContain(`chmod 600 ${loose}`);
  });
});

describe('replaceCronBlock', () => {
  test('refuses a crontab whose drc block has no end marker', () => {
    expect(() => replaceCronBlock('# BEGIN drc\n15 2 * * * drc backup\n', '# BEGIN drc\n# END drc')).toThrow(
      'crontab has "# BEGIN drc" on line 1 but no "# END drc" after it',
    );
  });

  test('adds the block to an empty crontab', () => {
    expect(replaceCronBlock('', '# BEGIN drc\n# END drc')).toBe('# BEGIN drc\n# END drc\n');
  });
});

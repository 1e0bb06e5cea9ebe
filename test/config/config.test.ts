import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { runDrc } from '../helpers/drc.js';
import { makeTempDir } from '../helpers/tmp.js';

const minimal = {
  sources: [{ name: 'app-db', type: 'mysql', url: 'mysql://backup@127.0.0.1:3306/askproai_db', passwordEnv: 'DB_PASSWORD' }],
  targets: [{ name: 'local', type: 'local', path: '/var/backups/drc' }],
  encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
};

describe('config validation', () => {
  it('accepts the DESIGN.md example shape, unix-socket URLs included', () => {
    const config = parseConfig({
      ...minimal,
      sources: [
        ...minimal.sources,
        { name: 'core-db', type: 'postgres', url: 'postgres://backup@/groundzero?host=/run/postgresql' },
        { name: 'sock-db', type: 'mysql', url: 'mysql://backup@localhost/db?socket=/run/mysqld/mysqld.sock' },
        { name: 'app', type: 'files', paths: ['/var/www/api-gateway'], exclude: ['node_modules', 'storage/logs'] },
        { name: 'calcom', type: 'calcom', apiKeyEnv: 'CALCOM_API_KEY' },
      ],
      retention: { keepLast: 5, daily: 14, weekly: 4, monthly: 3 },
      objectives: { rto: '2h', rpo: '1h', maxAge: '26h' },
    });
    expect(config.sources).toHaveLength(5);
  });

  it('names the key path, the bad value and what is expected', () => {
    const bad = { ...minimal, sources: [{ ...minimal.sources[0], url: 'mysq://backup@host/db' }] };
    expect(() => parseConfig(bad)).toThrow(/config\.sources\[0\]\.url: expected mysql:\/\/ or mariadb:\/\/, got "mysq:\/\/backup@host\/db"/);
  });

  it('refuses a password inside a database URL and says where secrets go', () => {
    const bad = { ...minimal, sources: [{ ...minimal.sources[0], url: 'mysql://backup:hunter22@127.0.0.1/db' }] };
    expect(() => parseConfig(bad)).toThrow(/config\.sources\[0\]\.url: contains a password; remove it and name an env var in "passwordEnv"/);
    // libpq also takes it as a query parameter; it would reach pg_restore's argv and messages.
    const inQuery = { ...minimal, sources: [{ name: 'core-db', type: 'postgres', url: 'postgres://backup@/db?host=/run/postgresql&password=hunter22' }] };
    expect(() => parseConfig(inQuery)).toThrow(/config\.sources\[0\]\.url: contains a password/);
  });

  it('reports unknown source types, bad durations, unknown keys and duplicate names together', () => {
    const bad = {
      ...minimal,
      sources: [...minimal.sources, { name: 'app-db', type: 'mongo' }],
      objectives: { rto: 'two hours' },
      retention: { keepLast: 0 },
      extra: true,
    };
    let message = '';
    try {
      parseConfig(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/config\.sources\[1\]\.type: .*got "mongo"/);
    expect(message).toMatch(/config\.objectives\.rto: expected a duration such as "90s", "30m", "2h", "1d", got "two hours"/);
    expect(message).toMatch(/config\.retention\.keepLast: .*got 0/);
    expect(message).toMatch(/extra/);
  });
});

describe('drc init and config loading', () => {
  it('writes a valid config from flags (0600), which drc then loads from DRC_CONFIG', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const file = path.join(dir, 'etc/drc.json');
      const init = await runDrc([
        '--config', file, 'init',
        '--postgres', 'postgres://backup@/groundzero?host=/run/postgresql',
        '--mysql', 'mysql://backup@localhost/askproai_db?socket=/run/mysqld/mysqld.sock',
        '--files', '/var/www/api-gateway',
        '--password-env', 'DB_PASSWORD',
        '--local', '/var/backups/drc',
        '--s3', 's3://acme-dr/prod', '--s3-endpoint', 'https://s3.example.test', '--s3-key-env', 'S3_KEY', '--s3-secret-env', 'S3_SECRET',
        '--passphrase-env', 'DRC_PASSPHRASE',
        '--state-dir', path.join(dir, 'state'),
      ]);
      expect(init.exitCode, init.stderr).toBe(0);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const written = JSON.parse(await readFile(file, 'utf8'));
      expect(written.sources.map((s: { name: string; type: string }) => `${s.name}:${s.type}`)).toEqual([
        'groundzero:postgres',
        'askproai_db:mysql',
        'api-gateway:files',
      ]);
      expect(written.targets[1]).toMatchObject({ type: 's3', bucket: 'acme-dr', prefix: 'prod', accessKeyIdEnv: 'S3_KEY' });
      expect(JSON.stringify(written)).not.toMatch(/hunter|secret-value/);

      const again = await runDrc(['--config', file, 'init', '--local', '/x', '--postgres', 'postgres://a@/b']);
      expect(again.exitCode).toBe(2);
      expect(again.stderr).toMatch(/exists[\s\S]*--force/);

      // An invalid file is refused with the key path by every command that loads it.
      await writeFile(file, JSON.stringify({ ...written, targets: [{ name: 'local', type: 'local', path: 'relative/path' }] }));
      const backup = await runDrc(['backup'], { env: { DRC_CONFIG: file } });
      expect(backup.exitCode).toBe(2);
      expect(backup.stderr).toMatch(/config\.targets\[0\]\.path: expected an absolute path, got "relative\/path"/);
    } finally {
      await cleanup();
    }
  });

  it('without flags and without a terminal, init refuses to ask and names the flags', async () => {
    const { dir, cleanup } = await makeTempDir();
    const run = await runDrc(['--config', path.join(dir, 'x.json'), 'init']);
    await cleanup();
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/no terminal to ask at and no flags given[\s\S]*--postgres URL/);
  });

  it('drc without a terminal prints help and exits 2; an unknown command exits 2', async () => {
    const bare = await runDrc([]);
    expect(bare.exitCode).toBe(2);
    expect(bare.stderr).toMatch(/Usage: drc/);
    const unknown = await runDrc(['bakup']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'bakup'/);
  });
});

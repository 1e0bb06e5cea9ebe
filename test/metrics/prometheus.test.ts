import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { renderMetrics, writeMetrics } from '../../src/metrics/prometheus.js';
import { makeTempDir } from '../helpers/tmp.js';

const data = {
  newestSets: [{ source: 'app-db', target: 'offsite', time: new Date('2026-11-22T02:15:00Z'), storedBytes: 123456 }],
  lastBackup: {
    kind: 'backup' as const,
    at: '2026-11-22T02:15:00Z',
    setId: '2026-11-22T02-15-00Z_web1',
    status: 'partial' as const,
    exitCode: 1,
    durationMs: 83_500,
    sources: [
      { source: 'app-db', ok: true, storedBytes: 123456 },
      { source: 'app', ok: false, error: 'tar: /var/www: Permission denied' },
    ],
    targets: [{ target: 'offsite', ok: true }],
  },
  drills: [{ kind: 'drill' as const, at: '2026-11-01T04:30:00Z', source: 'app-db', ok: true, rtoMs: 754_000, rpoMs: 8_100_000, objectives: {}, problems: [] }],
};

test('renders the textfile collector format: HELP and TYPE per family, labelled samples', () => {
  const text = renderMetrics(data);
  expect(text).toContain(
    '# HELP drc_newest_set_timestamp_seconds Start time of the newest set holding the source, per target.\n' +
      '# TYPE drc_newest_set_timestamp_seconds gauge\n' +
      'drc_newest_set_timestamp_seconds{source="app-db",target="offsite"} 1795313700\n',
  );
  expect(text).toContain('drc_last_backup_duration_seconds 83.5\n');
  expect(text).toContain('drc_last_backup_exit_code 1\n');
  // A source that failed has no size: no sample rather than a misleading 0.
  expect(text).toContain('drc_last_backup_bytes{source="app-db"} 123456\n# HELP');
  expect(text).toContain('drc_drill_rto_seconds{source="app-db"} 754\n');
  expect(text).toContain('drc_drill_rpo_seconds{source="app-db"} 8100\n');
  expect(text).not.toContain('drc_status');
  expect(text.endsWith('\n')).toBe(true);
});

test('escapes label values', () => {
  const text = renderMetrics({ newestSets: [{ source: 'a"b\\c', target: 'local', time: new Date(0), storedBytes: 1 }] });
  expect(text).toContain('{source="a\\"b\\\\c",target="local"}');
});

test('writes atomically: the final file only, no temporary left behind', async () => {
  const { dir, cleanup } = await makeTempDir('drc-metrics-');
  const file = path.join(dir, 'textfile', 'drc.prom');
  await writeMetrics(file, data);
  await writeMetrics(file, { ...data, status: { level: 'warning' } });
  expect(await readdir(path.dirname(file))).toEqual(['drc.prom']);
  expect(await readFile(file, 'utf8')).toContain('drc_status 1\n');
  await cleanup();
});

import { Box, Text } from 'ink';
import type { StatusReport } from '../src/health/report.js';
import { formatDuration } from '../src/util/duration.js';
import { Menu, type MenuItem } from './components/menu.js';
import { levelMarks } from './components/marks.js';
import { KeyHints } from './components/key-hints.js';
import type { OpenIncident, SourceRow } from './home-model.js';
import { Command } from './keys.js';
import { toneColor } from './theme.js';

export type HomeChoice =
  | { kind: 'start-incident' }
  | { kind: 'resume-incident'; id: string }
  | { kind: 'backups' }
  | { kind: 'backup-now' }
  | { kind: 'drill' }
  | { kind: 'postmortems' }
  | { kind: 'quit' };

export interface HomeData {
  report: StatusReport;
  rows: SourceRow[];
  incidents: OpenIncident[];
}

/**
 * Where a person lands: is the backup healthy, is an incident open, and the ways on. The
 * table comes first because at 3 a.m. the first question is "do I have a good backup?".
 */
export function Home({
  data,
  error,
  origin,
  onChoose,
}: {
  data: HomeData | undefined;
  error: string | undefined;
  origin: string;
  onChoose: (choice: HomeChoice) => void;
}) {
  const items: Array<MenuItem<HomeChoice>> = [
    ...(data?.incidents ?? []).map((incident) => ({
      key: `resume-${incident.id}`,
      label: `Resume incident ${incident.id} (${incident.title}, ${incident.done}/${incident.total} steps done)`,
      value: { kind: 'resume-incident', id: incident.id } as const,
    })),
    { label: 'Start an incident (pick a playbook)', value: { kind: 'start-incident' } },
    { label: 'Backups: browse, verify, restore', value: { kind: 'backups' } },
    { label: 'Run a backup now', value: { kind: 'backup-now' } },
    { label: 'Run a restore drill', value: { kind: 'drill' } },
    { label: 'Post-mortems', value: { kind: 'postmortems' } },
    { label: 'Quit', value: { kind: 'quit' } },
  ];
  return (
    <Box flexDirection="column">
      <Box justifyContent="space-between">
        <Text bold>drc · disaster-recovery console</Text>
        <Text dimColor wrap="truncate-start">
          {origin}
        </Text>
      </Box>
      {error ? <Text color={toneColor('bad')}>Could not check backup health: {error}</Text> : null}
      {!data && !error ? <Text dimColor>Checking backup health…</Text> : null}
      {data ? <HealthTable data={data} /> : null}
      <Box marginTop={1} flexDirection="column">
        <Text bold>What now?</Text>
        <Menu items={items} onSelect={(item) => onChoose(item.value)} />
      </Box>
      <KeyHints hints={[[Command.UP, 'move'], [Command.CONFIRM, 'choose']]} />
    </Box>
  );
}

function HealthTable({ data }: { data: HomeData }) {
  const { report, rows, incidents } = data;
  const level = levelMarks[report.level];
  const worst = report.checks.filter((check) => check.level !== 'ok').slice(0, 2);
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        Backup health:{' '}
        <Text bold color={toneColor(level.tone)}>
          {level.mark} {level.word}
        </Text>
      </Text>
      <Box>
        <Text bold>{pad('  SOURCE', 16)}{pad('NEWEST SET', 28)}{pad('AGE', 10)}{pad('RPO', 10)}DRILL</Text>
      </Box>
      {rows.map((row) => {
        const mark = levelMarks[row.level];
        return (
          <Text key={row.source} wrap="truncate-end">
            <Text color={toneColor(mark.tone)}>{mark.mark} </Text>
            {pad(row.source, 14)}
            {pad(row.setId ? `${row.setId.slice(0, 20)}@${row.target}` : 'no backup', 28)}
            {pad(row.ageMs === undefined ? '—' : formatDuration(row.ageMs), 10)}
            {pad(row.rpoMs !== undefined ? formatDuration(row.rpoMs) : row.ageMs === undefined ? '—' : formatDuration(row.ageMs), 10)}
            {row.drill ? `${row.drill.ok ? '✓' : '✗'} ${formatDuration(row.drill.ageMs)} ago${row.drill.rtoMs ? `, RTO ${formatDuration(row.drill.rtoMs)}` : ''}` : 'never'}
          </Text>
        );
      })}
      <Text wrap="truncate-end">
        Last verification:{' '}
        {report.lastVerify
          ? `${report.lastVerify.ok ? '✓ passed' : '✗ FAILED'} ${formatDuration(report.lastVerify.ageSeconds * 1000)} ago (${report.lastVerify.setId} on ${report.lastVerify.target})`
          : 'never'}
      </Text>
      <Text wrap="truncate-end">
        Open incidents:{' '}
        {incidents.length ? (
          <Text color={toneColor('warn')}>{incidents.map((incident) => `${incident.id} (${incident.title})`).join(', ')}</Text>
        ) : (
          'none'
        )}
      </Text>
      {worst.map((check, index) => (
        <Text key={index} color={toneColor(levelMarks[check.level].tone)} wrap="truncate-end">
          {levelMarks[check.level].mark} {check.message}
        </Text>
      ))}
    </Box>
  );
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 2)}… ` : text.padEnd(width);
}

import { Box, Text } from 'ink';
import type { IncidentState } from '../../src/incidents/reducer.js';
import { formatDuration } from '../../src/util/duration.js';
import type { Achieved } from '../incident-model.js';
import { toneColor } from '../theme.js';

/** Where am I and how long has this been going on: id, playbook, elapsed against the RTO, the RPO. */
export function IncidentHeader({ incident, measured }: { incident: IncidentState; measured: Achieved }) {
  const { playbook } = incident.start;
  const over = measured.rtoMs !== undefined && measured.elapsedMs > measured.rtoMs;
  const near = measured.rtoMs !== undefined && !over && measured.elapsedMs > measured.rtoMs * 0.75;
  const rpoOver = measured.achievedRpoMs !== undefined && measured.rpoMs !== undefined && measured.achievedRpoMs > measured.rpoMs;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold inverse>
          {' INCIDENT '}
        </Text>{' '}
        <Text bold>{incident.id}</Text> · {playbook.title} · {playbook.severity}
        {incident.status !== 'open' ? ` · ${incident.status.toUpperCase()}` : ''}
      </Text>
      <Text wrap="truncate-end">
        elapsed{' '}
        <Text bold color={toneColor(over ? 'bad' : near ? 'warn' : 'ok')}>
          {formatDuration(measured.elapsedMs)}
        </Text>
        {measured.rtoMs !== undefined ? ` of RTO ${formatDuration(measured.rtoMs)}${over ? ' (OVER)' : ''}` : ' (no RTO objective)'} · RPO{' '}
        {measured.restoredSet ? (
          <Text color={toneColor(rpoOver ? 'bad' : 'ok')}>
            {formatDuration(measured.achievedRpoMs ?? 0)} (set {measured.restoredSet})
          </Text>
        ) : (
          'no set restored yet'
        )}
        {measured.rpoMs !== undefined ? ` of ${formatDuration(measured.rpoMs)}${rpoOver ? ' (OVER)' : ''}` : ''}
      </Text>
    </Box>
  );
}

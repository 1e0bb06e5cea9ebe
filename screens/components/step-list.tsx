import { Box, Text } from 'ink';
import type { IncidentState } from '../../src/incidents/reducer.js';
import { formatDuration } from '../../src/util/duration.js';
import { stepDurationMs, stepMarks, type StepRow } from '../incident-model.js';
import { toneColor } from '../theme.js';

/**
 * The steps with a mark, a word where the mark alone could be misread, and a duration.
 * Only a window of `height` rows around the cursor is drawn, so a long playbook never makes
 * the frame taller than the terminal.
 */
export function StepList({ incident, rows, cursor, height, now }: { incident: IncidentState; rows: StepRow[]; cursor: number; height: number; now: number }) {
  const first = Math.max(0, Math.min(cursor - Math.floor(height / 2), rows.length - height));
  const shown = rows.slice(first, first + height);
  return (
    <Box flexDirection="column">
      {first > 0 ? <Text dimColor>  ↑ {first} more</Text> : null}
      {shown.map((row, offset) => {
        const selected = first + offset === cursor;
        const pointer = selected ? '❯ ' : '  ';
        if (row.kind === 'item') {
          return (
            <Text key={`${row.step}-${row.item}`} bold={selected} color={selected ? toneColor('active') : undefined} wrap="truncate-end">
              {pointer}
              {'     '}
              {row.ticked ? '[x]' : '[ ]'} {row.text}
            </Text>
          );
        }
        const step = incident.steps[row.step]!;
        const mark = stepMarks[step.status];
        const duration = stepDurationMs(step, now);
        const suffix = [mark.word, duration === undefined ? '' : formatDuration(duration)].filter(Boolean).join(' ');
        return (
          <Box key={`step-${row.step}`}>
            <Box flexGrow={1} flexShrink={1}>
              <Text bold={selected} color={selected ? toneColor('active') : undefined} wrap="truncate-end">
                {pointer}
                <Text color={toneColor(mark.tone)}>{mark.mark}</Text> {String(step.index + 1).padStart(2)}. {step.title}
              </Text>
            </Box>
            <Box flexShrink={0} marginLeft={1}>
              <Text color={toneColor(mark.tone)}>{suffix}</Text>
            </Box>
          </Box>
        );
      })}
      {first + height < rows.length ? <Text dimColor>  ↓ {rows.length - first - height} more</Text> : null}
    </Box>
  );
}

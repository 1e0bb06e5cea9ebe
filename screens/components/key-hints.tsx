import { Box, Text } from 'ink';
import { keyLabels, type Command } from '../keys.js';
import { toneColor } from '../theme.js';

export type Hint = [Command, string];

/** The keys that work right now, always on screen: "Enter run step · s skip · q/Esc back". */
export function KeyHints({ hints }: { hints: Hint[] }) {
  return (
    <Box flexWrap="wrap" columnGap={2}>
      {hints.map(([command, label]) => (
        <Text key={`${command}-${label}`} wrap="truncate-end">
          <Text bold color={toneColor('active')}>
            {keyLabels[command]}
          </Text>{' '}
          {label}
        </Text>
      ))}
    </Box>
  );
}

import { Box, Text } from 'ink';
import { Command } from '../keys.js';
import { useCommands } from '../hooks/use-commands.js';
import { toneColor } from '../theme.js';
import { KeyHints } from './key-hints.js';

/** A yes/no question that holds the keyboard until answered; Esc and n both mean no. */
export function Confirm({ question, details = [], onAnswer }: { question: string; details?: string[]; onAnswer: (yes: boolean) => void }) {
  useCommands({ [Command.YES]: () => onAnswer(true), [Command.NO]: () => onAnswer(false) });
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={toneColor('warn')} paddingX={1}>
      <Text bold>{question}</Text>
      {details.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {line}
        </Text>
      ))}
      <KeyHints hints={[[Command.YES, 'yes'], [Command.NO, 'no']]} />
    </Box>
  );
}

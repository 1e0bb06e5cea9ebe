import { Box, Text } from 'ink';
import { toneColor } from '../theme.js';

/**
 * The last lines of a step's output, each cut to one row: the frame keeps a fixed height
 * however much a command prints (the full output is in the incident's output/ folder).
 */
export function OutputTail({ lines, height, outputFile }: { lines: string[]; height: number; outputFile?: string | undefined }) {
  const shown = lines.slice(-height);
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={toneColor('muted')} paddingX={1}>
      {shown.length === 0 ? <Text dimColor>(no output yet)</Text> : null}
      {shown.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {line.replace(/\t/g, '  ') || ' '}
        </Text>
      ))}
      {outputFile ? (
        <Text dimColor wrap="truncate-middle">
          full output: {outputFile}
        </Text>
      ) : null}
    </Box>
  );
}

import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { useRef, useState } from 'react';
import { Command } from '../keys.js';
import { useCommands } from '../hooks/use-commands.js';
import { toneColor } from '../theme.js';
import { KeyHints } from './key-hints.js';

/**
 * One line of text from the person (a skip reason, a note, a post-mortem answer). Enter
 * submits; Esc cancels. An empty answer is refused when `required`.
 */
export function TextPrompt({
  label,
  required = false,
  onSubmit,
  onCancel,
}: {
  label: string;
  required?: boolean;
  onSubmit: (text: string) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState('');
  // Keys can arrive faster than renders (paste, a fast typist over SSH): submit what was typed.
  const typed = useRef('');
  const [refused, setRefused] = useState(false);
  // Only Esc here: every other key belongs to the text field.
  useCommands({ [Command.CANCEL]: () => onCancel() });
  const submit = () => {
    const text = typed.current;
    if (required && !text.trim()) {
      setRefused(true);
      return;
    }
    onSubmit(text.trim());
  };
  // Pasted text (or keys sent in one burst) can carry the Enter inside it: submit there.
  const change = (text: string) => {
    setRefused(false);
    const end = text.search(/[\r\n]/);
    typed.current = end < 0 ? text : text.slice(0, end);
    setValue(typed.current);
    if (end >= 0) submit();
  };
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={toneColor('active')} paddingX={1}>
      <Text bold>{label}</Text>
      <Box>
        <Text>› </Text>
        <TextInput value={value} onChange={change} onSubmit={submit} />
      </Box>
      {refused ? <Text color={toneColor('warn')}>an answer is needed here (Esc cancels)</Text> : null}
      <KeyHints hints={[[Command.CONFIRM, 'save'], [Command.CANCEL, 'cancel']]} />
    </Box>
  );
}

import { Box, Text } from 'ink';
import { useRef, useState } from 'react';
import { Command, matchesCommand } from '../keys.js';
import { useKeys } from '../hooks/use-keyboard.js';
import { toneColor } from '../theme.js';
import { KeyHints } from './key-hints.js';

/**
 * One line of text from the person (a skip reason, a note, a post-mortem answer). Enter
 * submits; Esc cancels; Backspace deletes; Ctrl+U clears. An empty answer is refused when
 * `required`. The field listens through the console's keyboard (not a component with its own
 * subscription), so what is typed the moment the prompt appears is kept.
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
  // Keys can arrive faster than renders (paste, a fast typist over SSH): the text lives in a
  // ref, the state only redraws it.
  const typed = useRef('');
  const done = useRef(false);
  const [refused, setRefused] = useState(false);

  const update = (text: string) => {
    typed.current = text;
    setValue(text);
    setRefused(false);
  };
  const submit = () => {
    const text = typed.current;
    if (required && !text.trim()) return setRefused(true);
    done.current = true;
    onSubmit(text.trim());
  };

  useKeys((input, key) => {
    // One answer per prompt: keys after Enter belong to whatever comes next.
    if (done.current) return;
    if (matchesCommand(Command.CANCEL, input, key)) {
      done.current = true;
      return onCancel();
    }
    if (key.return) return submit();
    if (key.backspace || key.delete) return update(typed.current.slice(0, -1));
    if (key.ctrl && input === 'u') return update('');
    if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return;
    // Pasted text (or keys sent in one burst) can carry the Enter inside it: submit there.
    const end = input.search(/[\r\n]/);
    update(typed.current + (end < 0 ? input : input.slice(0, end)).replace(/[\u0000-\u001f\u007f]/g, ''));
    if (end >= 0) submit();
  });

  return (
    <Box flexDirection="column" borderStyle="round" borderColor={toneColor('active')} paddingX={1}>
      <Text bold>{label}</Text>
      <Box>
        <Text>› </Text>
        <Text>{value}</Text>
        <Text inverse> </Text>
      </Box>
      {refused ? <Text color={toneColor('warn')}>an answer is needed here (Esc cancels)</Text> : null}
      <KeyHints hints={[[Command.CONFIRM, 'save'], [Command.CANCEL, 'cancel']]} />
    </Box>
  );
}

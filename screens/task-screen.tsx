import { Box, Text, useStdout } from 'ink';
import { useCallback, useState } from 'react';
import { Confirm } from './components/confirm.js';
import { KeyHints } from './components/key-hints.js';
import { OutputTail } from './components/output-tail.js';
import { ProgressBar } from './components/progress-bar.js';
import { Command } from './keys.js';
import { useCommands } from './hooks/use-commands.js';
import { useInterrupt } from './hooks/use-interrupt.js';
import { useOnShutdown } from './hooks/use-shutdown.js';
import { useTask, type Ask, type TaskRun } from './hooks/use-task.js';
import { toneColor } from './theme.js';

const statusWords = {
  running: { text: '▶ running', tone: 'active' },
  stopping: { text: '■ stopping…', tone: 'warn' },
  done: { text: '✓ done', tone: 'ok' },
  failed: { text: '✗ FAILED', tone: 'bad' },
  stopped: { text: '■ stopped', tone: 'warn' },
} as const;

/**
 * One engine job watched live: a backup now, a verification, a restore, a drill. Progress
 * and a bounded tail of its log; leaving while it runs asks first and then stops it cleanly.
 */
export function TaskScreen({ title, run, onDone }: { title: string; run: TaskRun; onDone: () => void }) {
  const [question, setQuestion] = useState<{ question: string; details: string[]; answer: (yes: boolean) => void }>();
  const ask = useCallback<Ask>((text, details) => new Promise((resolve) => setQuestion({ question: text, details, answer: resolve })), []);
  const { state, stop } = useTask(run, ask);
  const [asking, setAsking] = useState(false);
  const running = state.status === 'running' || state.status === 'stopping';
  const { stdout } = useStdout();
  const tailHeight = Math.max(3, Math.min(12, (stdout.rows || 24) - 12));
  useOnShutdown(useCallback(async () => stop(), [stop]));
  useInterrupt(() => setAsking(true), running);
  useCommands({ [Command.BACK]: () => (running ? setAsking(true) : onDone()), [Command.CONFIRM]: () => !running && onDone() }, { isActive: !asking && !question });
  const word = statusWords[state.status];
  return (
    <Box flexDirection="column">
      <Text bold>
        {title} <Text color={toneColor(word.tone)}>{word.text}</Text>
      </Text>
      {state.progress ? <ProgressBar progress={state.progress} /> : null}
      <OutputTail lines={state.lines} height={tailHeight} />
      {state.summary ? (
        <Text color={toneColor(state.status === 'failed' ? 'bad' : state.exitCode === 1 ? 'warn' : 'ok')} wrap="truncate-end">
          {state.summary}
        </Text>
      ) : null}
      {question ? (
        <Confirm
          question={question.question}
          details={question.details}
          onAnswer={(yes) => {
            setQuestion(undefined);
            question.answer(yes);
          }}
        />
      ) : asking ? (
        <Confirm
          question={`Stop "${title}" now?`}
          details={['What was written so far is removed; nothing complete is touched.']}
          onAnswer={(yes) => {
            setAsking(false);
            if (yes) void stop();
          }}
        />
      ) : (
        <KeyHints hints={running ? [[Command.BACK, 'stop…'], [Command.INTERRUPT, 'stop…']] : [[Command.CONFIRM, 'back'], [Command.BACK, 'back']]} />
      )}
    </Box>
  );
}

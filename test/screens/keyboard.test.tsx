import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { Confirm } from '../../screens/components/confirm.js';
import { TextPrompt } from '../../screens/components/text-prompt.js';
import { useCommands } from '../../screens/hooks/use-commands.js';
import { KeyboardProvider } from '../../screens/hooks/use-keyboard.js';
import { Command } from '../../screens/keys.js';
import { KEYS, waitForFrame, waitForText } from './ink-helpers.js';

/** A screen that opens a prompt on `n` and a question on `s`, like the incident runner. */
function Screen({ onNote, onAnswer }: { onNote: (text: string) => void; onAnswer: (yes: boolean) => void }) {
  const [overlay, setOverlay] = useState<'none' | 'note' | 'stop'>('none');
  useCommands({ [Command.NOTE]: () => setOverlay('note'), [Command.SKIP]: () => setOverlay('stop') }, { isActive: overlay === 'none' });
  if (overlay === 'note')
    return (
      <TextPrompt
        label="Note:"
        onSubmit={(text) => {
          setOverlay('none');
          onNote(text);
        }}
        onCancel={() => setOverlay('none')}
      />
    );
  if (overlay === 'stop')
    return (
      <Confirm
        question="Stop now?"
        onAnswer={(yes) => {
          setOverlay('none');
          onAnswer(yes);
        }}
      />
    );
  return <Text>ready: n note, s stop</Text>;
}

/**
 * Sends `keys` in the microtask after the frame containing `text` is written: after React's
 * commit (and its layout effects), before any passive effect can run. This is the instant a
 * person (or tmux) sees the prompt; a listener attached later than this loses the key.
 */
function typeAsSoonAsShown(app: ReturnType<typeof render>, text: string, keys: string[]) {
  const stdout = app.stdout as unknown as { write: (frame: string) => void };
  const write = stdout.write.bind(stdout);
  let sent = false;
  stdout.write = (frame: string) => {
    write(frame);
    if (sent || !frame.includes(text)) return;
    sent = true;
    queueMicrotask(() => keys.forEach((key) => app.stdin.write(key)));
  };
}

describe('console keyboard', () => {
  it('keeps keys typed the instant a prompt or question appears, and after it closes', async () => {
    const notes: string[] = [];
    const answers: boolean[] = [];
    const app = render(
      <KeyboardProvider>
        <Screen onNote={(text) => notes.push(text)} onAnswer={(yes) => answers.push(yes)} />
      </KeyboardProvider>,
    );
    await waitForText(app.lastFrame, 'ready');

    // Each key goes in the instant its screen is drawn: the note prompt, the screen behind it
    // once it closes, then the question.
    typeAsSoonAsShown(app, 'Note:', ['impact: none', KEYS.enter]);
    typeAsSoonAsShown(app, 'ready', ['s']);
    typeAsSoonAsShown(app, 'Stop now?', ['y']);
    app.stdin.write('n');
    await waitForFrame(app.lastFrame, () => answers.length > 0);
    expect(notes).toEqual(['impact: none']);
    expect(answers).toEqual([true]);
    app.unmount();
  });

  it('edits text: Backspace deletes, Ctrl+U clears, a required answer is not empty, Esc cancels', async () => {
    const submitted: string[] = [];
    let cancelled = false;
    const app = render(
      <KeyboardProvider>
        <TextPrompt label="Why?" required onSubmit={(text) => submitted.push(text)} onCancel={() => (cancelled = true)} />
      </KeyboardProvider>,
    );
    await waitForText(app.lastFrame, 'Why?');
    app.stdin.write('abc');
    app.stdin.write('\u007f');
    await waitForText(app.lastFrame, '› ab');
    app.stdin.write('\u0015');
    app.stdin.write(KEYS.enter);
    await waitForText(app.lastFrame, 'an answer is needed here');
    app.stdin.write('disk was full\r');
    await waitForFrame(app.lastFrame, () => submitted.length > 0);
    expect(submitted).toEqual(['disk was full']);
    app.unmount();

    const second = render(
      <KeyboardProvider>
        <TextPrompt label="Why?" onSubmit={(text) => submitted.push(text)} onCancel={() => (cancelled = true)} />
      </KeyboardProvider>,
    );
    await waitForText(second.lastFrame, 'Why?');
    second.stdin.write(KEYS.escape);
    await waitForFrame(second.lastFrame, () => cancelled);
    second.unmount();
  });
});

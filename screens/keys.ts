import type { Key } from 'ink';

/**
 * Every key the console reacts to, as named commands in one place (the Gemini CLI keymap
 * shape): screens ask "was this CONFIRM?", never "was this \r?", and the hints shown on
 * screen come from the same table, so what a person reads is what the key does.
 */
export const Command = {
  UP: 'up',
  DOWN: 'down',
  CONFIRM: 'confirm',
  TICK: 'tick',
  SKIP: 'skip',
  RETRY: 'retry',
  NOTE: 'note',
  BACK: 'back',
  CANCEL: 'cancel',
  INTERRUPT: 'interrupt',
  YES: 'yes',
  NO: 'no',
  VERIFY: 'verify',
  RESTORE: 'restore',
} as const;
export type Command = (typeof Command)[keyof typeof Command];

type KeyName = 'upArrow' | 'downArrow' | 'return' | 'escape' | 'tab';

/** One way to press a command: a named key, or a character (with ctrl when set). */
interface KeyBinding {
  key?: KeyName;
  input?: string;
  ctrl?: boolean;
}

export const keyBindings: Record<Command, KeyBinding[]> = {
  [Command.UP]: [{ key: 'upArrow' }, { input: 'k' }],
  [Command.DOWN]: [{ key: 'downArrow' }, { input: 'j' }],
  [Command.CONFIRM]: [{ key: 'return' }],
  [Command.TICK]: [{ input: ' ' }],
  [Command.SKIP]: [{ input: 's' }],
  [Command.RETRY]: [{ input: 'r' }],
  [Command.NOTE]: [{ input: 'n' }],
  [Command.BACK]: [{ input: 'q' }, { key: 'escape' }],
  /** Inside a text field, where q is a letter. */
  [Command.CANCEL]: [{ key: 'escape' }],
  [Command.INTERRUPT]: [{ input: 'c', ctrl: true }],
  [Command.YES]: [{ input: 'y' }],
  [Command.NO]: [{ input: 'n' }, { key: 'escape' }],
  [Command.VERIFY]: [{ input: 'v' }],
  [Command.RESTORE]: [{ input: 'r' }],
};

/** What the hints line says for each command. */
export const keyLabels: Record<Command, string> = {
  [Command.UP]: '↑↓',
  [Command.DOWN]: '↓',
  [Command.CONFIRM]: 'Enter',
  [Command.TICK]: 'Space',
  [Command.SKIP]: 's',
  [Command.RETRY]: 'r',
  [Command.NOTE]: 'n',
  [Command.BACK]: 'q/Esc',
  [Command.CANCEL]: 'Esc',
  [Command.INTERRUPT]: 'Ctrl+C',
  [Command.YES]: 'y',
  [Command.NO]: 'n/Esc',
  [Command.VERIFY]: 'v',
  [Command.RESTORE]: 'r',
};

export function matchesCommand(command: Command, input: string, key: Key): boolean {
  return keyBindings[command].some((binding) => {
    if (binding.key) return key[binding.key];
    if (Boolean(binding.ctrl) !== key.ctrl) return false;
    return input === binding.input;
  });
}

/** The first of `commands` the key press means, in the order given (earlier wins a shared key). */
export function findCommand(commands: readonly Command[], input: string, key: Key): Command | undefined {
  return commands.find((command) => matchesCommand(command, input, key));
}

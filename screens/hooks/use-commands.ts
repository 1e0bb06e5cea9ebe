import { useInput } from 'ink';
import { useRef } from 'react';
import { findCommand, type Command } from '../keys.js';

export type CommandHandlers = Partial<Record<Command, () => void>>;

/**
 * The only place screens listen to the keyboard: a key press becomes a named command and
 * runs its handler. Handlers are read through a ref so a re-render never drops a key.
 */
export function useCommands(handlers: CommandHandlers, options: { isActive?: boolean } = {}): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useInput(
    (input, key) => {
      const commands = Object.keys(latest.current) as Command[];
      const command = findCommand(commands, input, key);
      if (command) latest.current[command]?.();
    },
    { isActive: options.isActive ?? true },
  );
}

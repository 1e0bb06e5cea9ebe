import { findCommand, type Command } from '../keys.js';
import { useKeys } from './use-keyboard.js';

export type CommandHandlers = Partial<Record<Command, () => void>>;

/**
 * The only place screens listen for commands: a key press becomes a named command and runs its
 * handler. Listening starts in the commit that draws the screen (see use-keyboard), so a key
 * pressed as soon as the screen shows is never dropped.
 */
export function useCommands(handlers: CommandHandlers, options: { isActive?: boolean } = {}): void {
  useKeys((input, key) => {
    const command = findCommand(Object.keys(handlers) as Command[], input, key);
    if (command) handlers[command]?.();
  }, options.isActive ?? true);
}

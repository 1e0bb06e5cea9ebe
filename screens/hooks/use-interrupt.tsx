import { createContext, useContext, useLayoutEffect, useMemo, useRef, type ReactNode } from 'react';
import { Command } from '../keys.js';
import { useCommands } from './use-commands.js';

/**
 * Ctrl+C belongs to the root (exitOnCtrlC is off). A screen with something running claims it
 * to ask before stopping; with no claim, Ctrl+C quits from where the person is.
 */
export interface InterruptClaims {
  claim(handler: () => void): () => void;
}

export const InterruptContext = createContext<InterruptClaims>({ claim: () => () => {} });

/** While `active`, Ctrl+C calls `handler` instead of quitting. */
export function useInterrupt(handler: () => void, active: boolean): void {
  const claims = useContext(InterruptContext);
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  // In the drawing commit, like key listeners: Ctrl+C right after a step starts asks first.
  useLayoutEffect(() => (active ? claims.claim(() => latest.current()) : undefined), [claims, active]);
}

/** Owns Ctrl+C: the newest claim gets it; with none, `onUnclaimed` (the root quits). */
export function InterruptProvider({ onUnclaimed, children }: { onUnclaimed: () => void; children: ReactNode }) {
  const claims = useRef<Array<() => void>>([]);
  const value = useMemo<InterruptClaims>(
    () => ({
      claim(handler) {
        claims.current.push(handler);
        return () => {
          claims.current = claims.current.filter((entry) => entry !== handler);
        };
      },
    }),
    [],
  );
  useCommands({ [Command.INTERRUPT]: () => (claims.current.length ? claims.current.at(-1)!() : onUnclaimed()) });
  return <InterruptContext.Provider value={value}>{children}</InterruptContext.Provider>;
}

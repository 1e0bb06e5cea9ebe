import { createContext, useContext, useEffect, useRef } from 'react';

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
  latest.current = handler;
  useEffect(() => (active ? claims.claim(() => latest.current()) : undefined), [claims, active]);
}

import { useInput, type Key } from 'ink';
import { createContext, useCallback, useContext, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

export type KeyListener = (input: string, key: Key) => void;

interface Keyboard {
  listen(listener: KeyListener): () => void;
}

const KeyboardContext = createContext<Keyboard | undefined>(undefined);

/**
 * The console's one subscription to the terminal. Ink's own `useInput` attaches in a passive
 * effect, which runs some time after the frame is drawn: a key typed the moment a prompt or
 * overlay appears (a fast typist over SSH, a paste, a script driving tmux) reached nobody and
 * was lost. Here the subscription is made once, before anything is shown, and screens register
 * their listeners in layout effects, which run in the same commit that draws their frame; a key
 * that arrives after a frame is on the terminal always finds that frame's listeners.
 */
export function KeyboardProvider({ children }: { children: ReactNode }) {
  const listeners = useRef<KeyListener[]>([]);
  const [keyboard] = useState<Keyboard>(() => ({
    listen(listener) {
      listeners.current = [...listeners.current, listener];
      return () => {
        listeners.current = listeners.current.filter((entry) => entry !== listener);
      };
    },
  }));
  // A snapshot per key: a listener that a handler adds or removes takes effect from the next key.
  const dispatch = useCallback((input: string, key: Key) => {
    for (const listener of listeners.current) listener(input, key);
  }, []);
  useInput(dispatch);
  // Children are drawn only once Ink delivers keys to `dispatch` (its passive effect has run),
  // so no screen is ever visible without someone listening.
  const [subscribed, setSubscribed] = useState(false);
  useEffect(() => setSubscribed(true), []);
  return <KeyboardContext.Provider value={keyboard}>{subscribed ? children : null}</KeyboardContext.Provider>;
}

/** Calls `listener` for every key while `isActive`; attached in the commit that draws the frame. */
export function useKeys(listener: KeyListener, isActive = true): void {
  const keyboard = useContext(KeyboardContext);
  if (!keyboard) throw new Error('useKeys needs a <KeyboardProvider> above it');
  const latest = useRef(listener);
  useLayoutEffect(() => {
    latest.current = listener;
  });
  useLayoutEffect(() => (isActive ? keyboard.listen((input, key) => latest.current(input, key)) : undefined), [keyboard, isActive]);
}

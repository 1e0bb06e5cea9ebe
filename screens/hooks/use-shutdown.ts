import { createContext, useContext, useEffect } from 'react';

/**
 * SIGHUP (a dropped SSH session) and SIGTERM reach the console through here: each screen
 * that has something running registers how to stop it cleanly, and the entry waits for
 * those before the process ends, so the journal says what was interrupted.
 */
export interface Shutdown {
  register(stop: (reason: string) => Promise<void>): () => void;
}

export const ShutdownContext = createContext<Shutdown>({ register: () => () => {} });

export function useOnShutdown(stop: (reason: string) => Promise<void>): void {
  const shutdown = useContext(ShutdownContext);
  useEffect(() => shutdown.register(stop), [shutdown, stop]);
}

export function createShutdown(): Shutdown & { run(reason: string): Promise<void> } {
  const stops = new Set<(reason: string) => Promise<void>>();
  return {
    register(stop) {
      stops.add(stop);
      return () => stops.delete(stop);
    },
    async run(reason) {
      await Promise.allSettled([...stops].map((stop) => stop(reason)));
    },
  };
}

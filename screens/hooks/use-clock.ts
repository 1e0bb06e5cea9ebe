import { useEffect, useState } from 'react';

/** The current time; while `active` the component re-renders every `intervalMs` (elapsed times on screen). */
export function useClock(active: boolean, intervalMs = 1000): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((tick) => tick + 1), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return Date.now();
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses "90s", "30m", "2h", "1d", "1h30m" into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?[smhdw])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)) {
    total += Number(amount) * UNIT_MS[unit!]!;
  }
  return total;
}

/** Formats milliseconds the way an operator reads them: "4.2s", "12m 5s", "3h 20m", "2d 4h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const negative = ms < 0;
  const abs = Math.abs(ms);
  let text: string;
  if (abs < 1000) text = `${Math.round(abs)}ms`;
  else if (abs < 60_000) text = `${(abs / 1000).toFixed(1)}s`;
  else if (abs < 3_600_000) text = `${Math.floor(abs / 60_000)}m ${Math.floor((abs % 60_000) / 1000)}s`;
  else if (abs < 86_400_000) text = `${Math.floor(abs / 3_600_000)}h ${Math.floor((abs % 3_600_000) / 60_000)}m`;
  else text = `${Math.floor(abs / 86_400_000)}d ${Math.floor((abs % 86_400_000) / 3_600_000)}h`;
  return negative ? `-${text}` : text;
}

/**
 * Colours by meaning. With NO_COLOR set (https://no-color.org) every colour is undefined and
 * the screens read the same in plain text: status is always a mark and a word, never colour
 * alone.
 */
const palette = {
  ok: 'green',
  warn: 'yellow',
  bad: 'red',
  active: 'cyan',
  muted: 'gray',
  accent: 'magenta',
} as const;

export type Tone = keyof typeof palette;

export function toneColor(tone: Tone | undefined): string | undefined {
  if (!tone || process.env.NO_COLOR) return undefined;
  return palette[tone];
}

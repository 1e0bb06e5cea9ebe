import type { Tone } from '../theme.js';

/** Status marks that read without colour: the word is always beside the mark. */
export const levelMarks: Record<'ok' | 'warning' | 'critical', { mark: string; tone: Tone; word: string }> = {
  ok: { mark: '✓', tone: 'ok', word: 'OK' },
  warning: { mark: '!', tone: 'warn', word: 'WARNING' },
  critical: { mark: '✗', tone: 'bad', word: 'CRITICAL' },
};

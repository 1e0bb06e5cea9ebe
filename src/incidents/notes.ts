import { DrcError } from '../errors.js';
import type { NoteKind } from './journal-schema.js';

const PREFIXES: Array<[RegExp, NoteKind]> = [
  [/^impact:\s*/i, 'impact'],
  [/^detect(?:ed|ion):\s*/i, 'detection'],
  [/^root[ -]?cause:\s*/i, 'root-cause'],
  [/^(?:action(?:[ -]item)?|todo|follow[ -]?up):\s*/i, 'action-item'],
  [/^lessons?(?: learned)?:\s*/i, 'lesson'],
  [/^(?:data )?lost at:?\s*/i, 'lost-at'],
];

/**
 * A note typed during an incident goes to the matching post-mortem section by its prefix
 * ("root cause: …"); "lost at: 2026-11-22T01:40Z" sets when the data was lost (the RPO start).
 */
export function parseNote(text: string, kind?: NoteKind): { text: string; kind: NoteKind; lostAt?: string } {
  let body = text.trim();
  let found: NoteKind = kind ?? 'note';
  if (!kind) {
    for (const [prefix, prefixKind] of PREFIXES) {
      if (prefix.test(body)) {
        body = body.replace(prefix, '');
        found = prefixKind;
        break;
      }
    }
  }
  if (!body) throw new DrcError('the note is empty');
  if (found !== 'lost-at') return { text: body, kind: found };
  const time = Date.parse(body);
  if (Number.isNaN(time)) throw new DrcError(`lost at "${body}": not a date and time`, { hint: 'use ISO 8601, e.g. 2026-11-22T01:40:00Z' });
  return { text: body, kind: found, lostAt: new Date(time).toISOString() };
}

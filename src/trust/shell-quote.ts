/**
 * The one quoting function for every command drc prints or writes for a person to run
 * (RESTORE.md, hints, schedule lines): POSIX single quotes, so nothing inside is expanded,
 * whatever a database, folder or set name contains. Plain words (letters, digits and
 * `@%+=:,./_-`) stay unquoted so the commands remain readable.
 */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9@%+=:,./_-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line from words, each quoted as needed. */
export function shellJoin(words: string[]): string {
  return words.map(shellQuote).join(' ');
}

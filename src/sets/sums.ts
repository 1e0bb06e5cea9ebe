import { checkConfinedName } from '../trust/confine.js';

/** SHA256SUMS in the format `sha256sum -c` reads: "<hex>  <name>" (two spaces: text mode). */
export function formatSums(entries: Array<{ file: string; sha256: string }>): string {
  return entries.map((entry) => `${entry.sha256}  ${entry.file}\n`).join('');
}

/** Lines naming anything but one confined file name are ignored: nothing outside the set is ever read. */
export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (match && !checkConfinedName(match[2]!)) sums.set(match[2]!, match[1]!);
  }
  return sums;
}

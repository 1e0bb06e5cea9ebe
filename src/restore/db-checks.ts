import type { ManifestItem } from '../sets/manifest.js';

export interface SmokeCheck {
  name?: string | undefined;
  sql: string;
  expect?: string | number | boolean | undefined;
}

export interface CheckReport {
  ok: boolean;
  /** One line per problem: what differs and by how much. */
  problems: string[];
  tablesChecked: number;
  smokeChecked: number;
}

/**
 * Row counts of the restored copy against the ones taken in the dump's own snapshot. With
 * `only`, just that table is compared (a --table restore holds only it).
 */
export function compareRowCounts(item: ManifestItem, restored: Array<{ name: string; rows: number }>, only?: string): string[] {
  const expected = (item.tables ?? []).filter((table) => !only || table.name === only);
  const found = new Map(restored.map((table) => [table.name, table.rows]));
  const problems: string[] = [];
  for (const table of expected) {
    const rows = found.get(table.name);
    if (rows === undefined) problems.push(`table ${table.name}: missing after restore (the manifest counts ${table.rows} rows)`);
    else if (rows !== table.rows) problems.push(`table ${table.name}: ${rows} rows restored, the manifest counts ${table.rows}`);
  }
  return problems;
}

/** A smoke check passes when its query returns a row and, with `expect`, the first value matches. */
export function judgeSmokeCheck(check: SmokeCheck, firstValue: unknown, hasRow: boolean): string | undefined {
  const label = check.name ?? check.sql;
  if (!hasRow) return `smoke check "${label}": returned no row`;
  if (check.expect === undefined) return undefined;
  if (String(firstValue) === String(check.expect)) return undefined;
  if (typeof check.expect === 'boolean' && (firstValue === (check.expect ? 't' : 'f') || Number(firstValue) === Number(check.expect))) return undefined;
  return `smoke check "${label}": got ${JSON.stringify(firstValue)}, expected ${JSON.stringify(check.expect)}`;
}

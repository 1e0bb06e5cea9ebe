import type { Manifest } from '../sets/manifest.js';
import { formatBytes } from '../util/bytes.js';

export interface ShrunkItem {
  source: string;
  previousSetId: string;
  previousBytes: number;
  bytes: number;
  /** Tables the previous dump had and this one lacks. */
  missingTables: string[];
  message: string;
}

/**
 * Compares each item with the same source's item in the previous set: a dump under `ratio`
 * of the previous plain size, or one that lost tables, is the sign of a source that lost data
 * (or a dump that silently stopped early). Pure: the caller turns the result into warnings.
 */
export function detectShrunkItems(previous: Manifest | undefined, manifest: Manifest, ratio = 0.5): ShrunkItem[] {
  if (!previous) return [];
  const found: ShrunkItem[] = [];
  for (const item of manifest.items) {
    const before = previous.items.find((candidate) => candidate.source === item.source && !candidate.baseBackup === !item.baseBackup);
    if (!before) continue;
    const current = new Set((item.tables ?? []).map((table) => table.name));
    const missingTables = item.tables ? (before.tables ?? []).map((table) => table.name).filter((name) => !current.has(name)) : [];
    const shrank = before.plain.bytes > 0 && item.plain.bytes < before.plain.bytes * ratio;
    if (!shrank && missingTables.length === 0) continue;
    const parts: string[] = [];
    if (shrank) {
      parts.push(`${formatBytes(item.plain.bytes)}, under ${Math.round(ratio * 100)}% of the ${formatBytes(before.plain.bytes)} in ${previous.set}`);
    }
    if (missingTables.length) {
      const shown = missingTables.slice(0, 5).join(', ') + (missingTables.length > 5 ? `, … (${missingTables.length} in all)` : '');
      parts.push(`tables gone since ${previous.set}: ${shown}`);
    }
    found.push({
      source: item.source,
      previousSetId: previous.set,
      previousBytes: before.plain.bytes,
      bytes: item.plain.bytes,
      missingTables,
      message: `${item.source} shrank: ${parts.join('; ')}`,
    });
  }
  return found;
}

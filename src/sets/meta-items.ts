import type { ManifestItem } from './manifest.js';

/**
 * The two items every set carries besides its sources: the drc config and the system
 * inventory. Their names hold a dot, which configured source names cannot, so they never
 * collide with a source.
 */
export const CONFIG_ITEM = 'drc.config';
export const SYSTEM_ITEM = 'drc.system';

export function isMetaItem(item: Pick<ManifestItem, 'type'>): boolean {
  return item.type === 'config' || item.type === 'system';
}

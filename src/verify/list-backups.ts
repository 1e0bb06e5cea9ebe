import { loadAllCatalogs } from '../restore/resolve-set.js';
import type { SetTrust } from '../sets/sealed-manifest.js';
import { readHistory, type VerifyRecord } from '../state/history.js';
import type { Target } from '../storage/types.js';
import type { Emit } from '../events.js';

export interface BackupListing {
  id: string;
  time: string;
  host: string;
  status: 'complete' | 'partial' | 'unreadable';
  /** sealed: its manifest's seal verified; unsigned: a legacy set (no seal); refused: forged, stripped or unreadable. */
  trust: 'sealed' | 'unsigned' | 'refused';
  items: Array<{ source: string; type: string; storedBytes: number; plainBytes: number }>;
  storedBytes: number;
  /** Targets holding a copy with a readable manifest. */
  targets: string[];
  problems: string[];
  lastVerify?: { at: string; ok: boolean; deep: boolean; target: string; problems: string[] } | undefined;
}

/** Every set on every target, newest first, merged by id, with its newest verification. */
export async function listBackups(targets: Target[], trust: SetTrust, emit?: Emit): Promise<{ sets: BackupListing[]; unreachable: Array<{ target: string; error: string }> }> {
  const { stateDir } = trust;
  const view = await loadAllCatalogs(targets, trust, emit);
  const verifies = await readHistory(stateDir, 'verify').catch(() => [] as VerifyRecord[]);
  const byId = new Map<string, BackupListing>();
  for (const entry of view.entries) {
    let listing = byId.get(entry.id);
    if (!listing) {
      listing = { id: entry.id, time: entry.time.toISOString(), host: entry.host, status: entry.status, trust: 'sealed', items: [], storedBytes: 0, targets: [], problems: [] };
      byId.set(entry.id, listing);
    }
    if (entry.refused || !entry.manifest) listing.trust = 'refused';
    else if (entry.legacy && listing.trust === 'sealed') listing.trust = 'unsigned';
    if (entry.legacy) listing.problems.push(`${entry.target}: ${entry.problem}`);
    if (entry.manifest) {
      listing.targets.push(entry.target);
      if (!listing.items.length) {
        listing.status = entry.manifest.status;
        listing.items = entry.manifest.items.map((item) => ({ source: item.source, type: item.type, storedBytes: item.storedBytes, plainBytes: item.plain.bytes }));
        listing.storedBytes = listing.items.reduce((sum, item) => sum + item.storedBytes, 0);
      }
    } else if (entry.problem) {
      listing.problems.push(`${entry.target}: ${entry.problem}`);
    }
  }
  for (const listing of byId.values()) {
    const newest = verifies.filter((record) => record.setId === listing.id).at(-1);
    if (newest) listing.lastVerify = { at: newest.at, ok: newest.ok, deep: newest.deep, target: newest.target, problems: newest.problems };
  }
  const sets = [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return { sets, unreachable: view.unreachable };
}

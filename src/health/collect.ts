import type { Config } from '../config/schema.js';
import { redact } from '../config/secrets.js';
import { errorMessage } from '../errors.js';
import { loadCatalog, type CatalogEntry } from '../sets/catalog.js';
import { loadSetTrust, type SetTrust } from '../sets/sealed-manifest.js';
import { loadArchiveTimeline, summarizeArchive, type ArchiveSummary } from '../archive/index.js';
import { readHistory, type ArchiveRecord, type BackupRecord, type DrillRecord, type VerifyRecord } from '../state/history.js';
import type { Target } from '../storage/types.js';
import { readRestoreJournals } from '../restore/restore-journal.js';
import { isAlive } from '../state/lock.js';
import type { FreeSpace, FreeSpaceProbe } from './free-space.js';
import type { PostgresArchiveFacts } from '../pitr/postgres/health.js';
import { isPitrSource } from '../pitr/postgres/schedule.js';

export interface TargetFacts {
  name: string;
  type: Target['type'];
  location: string;
  /** Why the target could not be reached or listed; undefined when it could. */
  error?: string;
  catalog: CatalogEntry[];
  /** Local targets only. */
  free?: FreeSpace;
}

/** Everything `drc status` judges, gathered once; the judging itself is pure (evaluate.ts). */
export interface StatusFacts {
  sources: string[];
  targets: TargetFacts[];
  backups: BackupRecord[];
  verifies: VerifyRecord[];
  drills: DrillRecord[];
  /** PostgreSQL pitr sources: the WAL archive and the server's archiver (empty without such sources). */
  pitr?: PostgresArchiveFacts[];
  /** The point-in-time archive of each MySQL/MariaDB source (empty `files` when nothing is archived). */
  archives: ArchiveSummary[];
  archiveRuns: ArchiveRecord[];
  /** Restores, drills and deep verifications a killed drc left half-done and nothing could settle yet. */
  unfinishedRestores?: Array<{ kind: string; source: string; live: string; pid: number; at: string }>;
}

export async function collectStatusFacts(config: Config, stateDir: string, targets: Target[], probe: FreeSpaceProbe): Promise<StatusFacts> {
  const [backups, verifies, drills, archiveRuns, journals, targetFacts] = await Promise.all([
    readHistory(stateDir, 'backup'),
    readHistory(stateDir, 'verify'),
    readHistory(stateDir, 'drill'),
    readHistory(stateDir, 'archive'),
    readRestoreJournals(stateDir),
    loadSetTrust(config, stateDir).then((trust) => Promise.all(targets.map((target) => collectTargetFacts(target, trust, probe)))),
  ]);
  const pitr = config.sources.some(isPitrSource)
    ? await (await import('../pitr/postgres/health.js')).collectPostgresArchiveFacts(config, targets, targetFacts.flatMap((target) => target.catalog))
    : [];
  const reachable = targets.filter((target) => !targetFacts.find((facts) => facts.name === target.name)?.error);
  const archives: ArchiveSummary[] = [];
  for (const source of config.sources.filter((candidate) => candidate.type === 'mysql')) {
    archives.push(summarizeArchive(await loadArchiveTimeline(reachable, source.name), new Date()));
  }
  const unfinishedRestores = journals
    .filter((journal) => !isAlive(journal.begin.pid))
    .map(({ begin }) => ({ kind: begin.kind, source: begin.source, live: begin.live, pid: begin.pid, at: begin.at }));
  return { sources: config.sources.map((source) => source.name), targets: targetFacts, backups, verifies, drills, archives, archiveRuns, pitr, unfinishedRestores };
}

async function collectTargetFacts(target: Target, trust: SetTrust, probe: FreeSpaceProbe): Promise<TargetFacts> {
  const facts: TargetFacts = { name: target.name, type: target.type, location: target.location, catalog: [] };
  try {
    await target.checkReachable();
    facts.catalog = await loadCatalog(target, trust);
  } catch (error) {
    facts.error = redact(errorMessage(error));
  }
  if (target.type === 'local') {
    const free = await probe(target.location);
    if (free) facts.free = free;
  }
  return facts;
}

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DrcError } from '../../errors.js';

/**
 * What drc changed to keep the phones answered during an outage, so it can change it back
 * exactly: the bindings a number had before retell-route pointed it at a backup, the version an
 * agent ran before calcom-fallback switched its booking tool. One owner-only JSON file per
 * source and kind under stateDir/routes/, written atomically.
 */
export interface RoutedNumber {
  /** The inbound agents before routing, with names so they can be found again after a rebuild. */
  inbound_agents: Array<{ agent_id: string; agent_name?: string | null; weight: number; agent_version?: string | number | null }> | null;
  fallback_number: string | null;
  routedAt: string;
  to: { agent?: string; fallback?: string };
}

export interface BookingFallback {
  agent: string;
  agentId: string;
  /** The published version that had the booking tool. */
  originalVersion: number;
  /** Numbers that pinned the original version, which now pin the fallback version. */
  pinned: Array<{ number: string; field: string }>;
  switchedAt: string;
}

export interface RouteState {
  numbers: Record<string, RoutedNumber>;
  fallbacks: Record<string, BookingFallback>;
}

function stateFile(stateDir: string, source: string): string {
  return path.join(stateDir, 'routes', `${source}.json`);
}

export async function loadRouteState(stateDir: string, source: string): Promise<RouteState> {
  try {
    const parsed = JSON.parse(await readFile(stateFile(stateDir, source), 'utf8')) as Partial<RouteState>;
    return { numbers: parsed.numbers ?? {}, fallbacks: parsed.fallbacks ?? {} };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { numbers: {}, fallbacks: {} };
    throw new DrcError(`routes of ${source}: ${stateFile(stateDir, source)} cannot be read`, { hint: 'check the state folder; it records what retell-route and calcom-fallback changed', cause: error });
  }
}

export async function saveRouteState(stateDir: string, source: string, state: RouteState): Promise<void> {
  const file = stateFile(stateDir, source);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await chmod(path.dirname(file), 0o700);
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(state, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

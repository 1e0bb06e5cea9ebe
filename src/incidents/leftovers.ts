import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A step's command runs in its own process group with DRC_INCIDENT_ID in its environment.
 * When drc itself was killed, that group may still be running: before the step runs again,
 * stop it, so a half-finished `mysql < dump` never races its own retry. Only processes that
 * carry this incident's id are touched, so a recycled pid is never killed by mistake.
 */
export async function stopLeftoverCommand(pgid: number, incidentId: string): Promise<boolean> {
  if (!groupRunsIncident(pgid, incidentId)) return false;
  signal(pgid, 'SIGTERM');
  for (let waited = 0; waited < 5000; waited += 100) {
    await sleep(100);
    if (!groupMembers(pgid).length) return true;
  }
  signal(pgid, 'SIGKILL');
  return true;
}

function groupRunsIncident(pgid: number, incidentId: string): boolean {
  const marker = `DRC_INCIDENT_ID=${incidentId}\0`;
  return groupMembers(pgid).some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker);
    } catch {
      return false;
    }
  });
}

/** Linux /proc: the pids whose process group is `pgid` (none elsewhere: nothing is touched). */
function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return entries
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command name (which may contain spaces) in parentheses.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[2]) === pgid && fields[0] !== 'Z';
      } catch {
        return false;
      }
    });
}

function signal(pgid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pgid, name);
  } catch {
    // Gone already.
  }
}

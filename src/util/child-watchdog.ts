import { spawn } from 'node:child_process';

/**
 * Makes the dump, restore and compression tools die with drc, even when drc itself is killed
 * with SIGKILL (no handler runs then, and Node has no PR_SET_PDEATHSIG): a tiny detached
 * watcher notes drc's descendants and, within 100 ms of drc being gone, SIGKILLs those
 * still running. Without it a pg_dump lingers until its pipe breaks, tens of seconds later.
 * Linux only (/proc); elsewhere the watcher just exits.
 */
const WATCHER = `
const fs = require('node:fs');
const parent = Number(process.argv[1]);
const seen = new Map();
function stat(pid) {
  try {
    const text = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), pgrp: Number(fields[2]), start: fields[19] };
  } catch { return undefined; }
}
function alive(pid) { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } }
function scan() {
  let pids;
  try { pids = fs.readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name)).map(Number); } catch { process.exit(0); }
  const children = new Map();
  for (const pid of pids) {
    const info = stat(pid);
    if (!info) continue;
    if (!children.has(info.ppid)) children.set(info.ppid, []);
    children.get(info.ppid).push({ pid, start: info.start });
  }
  const queue = [parent];
  while (queue.length) {
    for (const child of children.get(queue.shift()) || []) {
      if (child.pid === process.pid) continue;
      seen.set(child.pid, child.start);
      queue.push(child.pid);
    }
  }
}
const self = stat(parent);
// A tool started after the last scan is not in 'seen': once drc is gone it is an orphan (its
// parent is now init) in drc's process group, started after drc. Those are drc's too.
function orphansOfParent() {
  const found = [];
  if (!self) return found;
  let pids;
  try { pids = fs.readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name)).map(Number); } catch { return found; }
  for (const pid of pids) {
    const info = stat(pid);
    if (info && info.ppid === 1 && info.pgrp === self.pgrp && Number(info.start) >= Number(self.start) && pid !== process.pid) found.push([pid, info.start]);
  }
  return found;
}
setInterval(() => {
  // Every 100 ms: whether drc lives, and its tree of tools.
  if (alive(parent)) return scan();
  for (const [pid, start] of [...seen, ...orphansOfParent()]) if (stat(pid)?.start === start) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  process.exit(0);
}, 100);
scan();
`;

let started = false;

export function startChildWatchdog(): void {
  if (started || process.platform !== 'linux') return;
  started = true;
  const watcher = spawn(process.execPath, ['-e', WATCHER, String(process.pid)], { detached: true, stdio: 'ignore' });
  watcher.on('error', () => {}); // best effort: drc works without it
  watcher.unref();
}

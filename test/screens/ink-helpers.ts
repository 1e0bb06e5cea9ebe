import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { LoadedConfig } from '../../src/config/load.js';

export const KEYS = { enter: '\r', escape: '\u001B', up: '\u001B[A', down: '\u001B[B', space: ' ', ctrlC: '\u0003' };

/** Waits until the frame satisfies `check` (Ink renders asynchronously); fails with the last frame. */
export async function waitForFrame(lastFrame: () => string | undefined, check: (frame: string) => boolean, timeoutMs = 60_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const frame = lastFrame() ?? '';
    if (check(frame)) return frame;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for the screen; last frame:\n${frame}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const waitForText = (lastFrame: () => string | undefined, text: string, timeoutMs?: number) =>
  waitForFrame(lastFrame, (frame) => frame.includes(text), timeoutMs);


/** A config with one local target in `dir` (plus `sources`), passphrase in a 0600 file. */
export async function writeTestConfig(dir: string, sources: unknown[], extra: Record<string, unknown> = {}): Promise<LoadedConfig> {
  const passphraseFile = path.join(dir, 'passphrase');
  await writeFile(passphraseFile, 'correct horse battery staple\n', { mode: 0o600 });
  const raw = {
    sources,
    targets: [{ name: 'local', type: 'local', path: path.join(dir, 'backups') }],
    encryption: { passphraseFile },
    objectives: { rto: '2h', rpo: '1h' },
    stateDir: path.join(dir, 'state'),
    ...extra,
  };
  const file = path.join(dir, 'drc.json');
  await writeFile(file, JSON.stringify(raw, null, 2));
  const config = parseConfig(raw, file);
  return { config, origin: file, stateDir: config.stateDir! };
}

/**
 * Lets React run its passive effects. The console's own screens listen from the commit that draws
 * them (screens/hooks/use-keyboard.tsx), but a menu (ink-select-input) subscribes in a passive
 * effect after its frame is drawn, so a key sent the moment a menu appears can reach the previous
 * render's handler. Not a sleep: it drains what is already queued.
 */
export async function drainEffects(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Sends a key to a menu once its handler for the frame on screen is attached. */
export async function pressOnMenu(stdin: { write: (data: string) => void }, key: string): Promise<void> {
  await drainEffects();
  stdin.write(key);
}

/**
 * Moves a menu's cursor to the item whose label starts with `label`, one key at a time, towards
 * wherever that item is drawn: no counted presses. A press that shows no move within a short
 * window is repeated; an overshoot is corrected by the next press, since the direction is read
 * from each frame.
 */
export async function selectByLabel(stdin: { write: (data: string) => void }, lastFrame: () => string | undefined, label: string, maxPresses = 60): Promise<string> {
  for (let presses = 0; presses <= maxPresses; presses++) {
    await drainEffects();
    const lines = (lastFrame() ?? '').split('\n');
    const cursor = lines.findIndex((line) => line.includes('❯'));
    const target = lines.findIndex((line) => line.replace('❯', ' ').trimStart().startsWith(label));
    if (target === -1) throw new Error(`no menu item "${label}" on the screen; last frame:\n${lastFrame()}`);
    if (cursor === target) return lastFrame() ?? '';
    stdin.write(target > cursor ? KEYS.down : KEYS.up);
    await waitForFrame(lastFrame, (next) => next.split('\n').findIndex((line) => line.includes('❯')) !== cursor, 2_000).catch(() => undefined);
  }
  throw new Error(`could not move the cursor to "${label}"; last frame:\n${lastFrame()}`);
}

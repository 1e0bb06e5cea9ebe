import { redact } from '../config/secrets.js';
import type { DrcEvent, Emit } from '../events.js';
import { formatBytes } from '../util/bytes.js';
import { formatDuration } from '../util/duration.js';

export type OutputMode = 'json' | 'tty' | 'plain';

export interface Printer {
  emit: Emit;
  /** Ends an in-place progress line before the process writes anything else. */
  close(): void;
}

/**
 * Headless output: with --json one event per line on stdout and nothing else there; at a
 * terminal a progress line per task rewritten in place on stderr; otherwise (cron, systemd)
 * plain lines on stderr that read well in a mail or the journal.
 */
export function createPrinter(mode: OutputMode, streams = { out: process.stdout, err: process.stderr }): Printer {
  if (mode === 'json') {
    return {
      emit: (event) => streams.out.write(redact(JSON.stringify({ time: new Date().toISOString(), ...event })) + '\n'),
      close: () => {},
    };
  }
  let progressShown = false;
  let lastPlainProgress = new Map<string, number>();
  const clearProgress = () => {
    if (progressShown) {
      streams.err.write('\r\x1b[K');
      progressShown = false;
    }
  };
  const line = (text: string) => {
    clearProgress();
    streams.err.write(redact(text) + '\n');
  };
  const emit = (event: DrcEvent) => {
    switch (event.type) {
      case 'log': {
        const prefix = event.level === 'error' ? 'error: ' : event.level === 'warn' ? 'warning: ' : '';
        line(prefix + event.message + (event.hint ? `\n  → ${event.hint}` : ''));
        break;
      }
      case 'task-started':
        line(`${event.task}: ${event.phase}${event.detail ? ` ${event.detail}` : ''}…`);
        break;
      case 'task-progress': {
        const text = `${event.task}: ${describeProgress(event.bytes, event.totalBytes, event.elapsedMs)}`;
        if (mode === 'tty') {
          streams.err.write('\r\x1b[K' + redact(text));
          progressShown = true;
        } else if (event.elapsedMs - (lastPlainProgress.get(event.task) ?? 0) >= 30_000) {
          // Plain logs get a heartbeat every 30 s: enough to see a dump is alive, not a flood.
          lastPlainProgress.set(event.task, event.elapsedMs);
          line(text);
        }
        break;
      }
      case 'task-finished':
        line(
          `${event.task}: ${event.ok ? 'done' : 'FAILED'}` +
            (event.bytes !== undefined ? `, ${formatBytes(event.bytes)}` : '') +
            ` in ${formatDuration(event.elapsedMs)}` +
            (event.detail ? ` (${event.detail})` : ''),
        );
        break;
      case 'result':
        line(event.summary);
        break;
    }
  };
  return { emit, close: clearProgress };
}

export function describeProgress(bytes: number, totalBytes: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (bytes / elapsedMs) * 1000 : 0;
  let text = `${formatBytes(bytes)}`;
  if (totalBytes) {
    const pct = Math.min(100, (bytes / totalBytes) * 100);
    text += ` of ${formatBytes(totalBytes)} (${pct.toFixed(0)}%)`;
  }
  text += `, ${formatBytes(rate)}/s, ${formatDuration(elapsedMs)}`;
  if (totalBytes && rate > 0 && bytes < totalBytes) text += `, ETA ${formatDuration(((totalBytes - bytes) / rate) * 1000)}`;
  return text;
}

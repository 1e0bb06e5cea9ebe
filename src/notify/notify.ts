import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config, NotifyConfig } from '../config/schema.js';
import { redact } from '../config/secrets.js';
import { errorMessage } from '../errors.js';
import type { Emit } from '../events.js';
import { writeFileAtomic } from '../metrics/write-atomic.js';
import { buildMessage, type NotifyEvent, type NotifyLevel } from './message.js';

export interface NotifyOutcome {
  /** False when the event repeats what people were already told (an OK run, an unchanged status). */
  due: boolean;
  sent: string[];
  failed: Array<{ channel: string; error: string }>;
}

/**
 * Tells people about an event, when it is news:
 * - status events only when the level changed since the last one;
 * - backup/verify/drill events on every warning or failure, and once on the first OK after one
 *   ("recovered"), never on every OK run.
 * A channel that fails is logged and skipped; this never throws, so a broken mail server
 * cannot fail a backup. The last level per kind lives in `<stateDir>/notify-state.json`; it
 * is updated only when some channel took the message (or none is configured), so an alert
 * that could not be sent is tried again next time.
 */
export async function notifyEvent(config: Config, stateDir: string, event: NotifyEvent, emit: Emit): Promise<NotifyOutcome> {
  const outcome: NotifyOutcome = { due: false, sent: [], failed: [] };
  try {
    const stateFile = path.join(stateDir, 'notify-state.json');
    const state = await readLevels(stateFile);
    const key = event.subject ? `${event.kind}:${event.subject}` : event.kind;
    outcome.due = isNews(event, state[key]);
    if (!outcome.due) return outcome;
    // Named by their place in the config, so a person can find the one that failed.
    const channels = (config.notify ?? [])
      .map((channel, index) => ({ channel, name: `${channel.type} (notify[${index}])` }))
      .filter(
        (entry): entry is { channel: Exclude<NotifyConfig, { type: 'healthchecks' }>; name: string } =>
          entry.channel.type !== 'healthchecks' && (!entry.channel.on || entry.channel.on.includes(event.kind)),
      );
    const message = buildMessage(event);
    for (const { channel, name } of channels) {
      try {
        // Loaded on use: the mail client is the heaviest module a nightly backup would load.
        const { sendToChannel } = await import('./channels.js');
        await sendToChannel(channel, message);
        outcome.sent.push(name);
      } catch (error) {
        const reason = redact(errorMessage(error));
        outcome.failed.push({ channel: name, error: reason });
        emit({ type: 'log', level: 'warn', message: `notification over ${name} not sent: ${reason}`, hint: 'check the URL/SMTP settings; the job itself is unaffected' });
      }
    }
    if (channels.length === 0 || outcome.sent.length > 0) await writeFileAtomic(stateFile, JSON.stringify({ ...state, [key]: event.level }, null, 2) + '\n', 0o600);
  } catch (error) {
    emit({ type: 'log', level: 'warn', message: `notifications skipped: ${redact(errorMessage(error))}` });
  }
  return outcome;
}

function isNews(event: NotifyEvent, previous: NotifyLevel | undefined): boolean {
  if (event.kind === 'status') return event.level !== (previous ?? 'ok');
  return event.level !== 'ok' || (previous !== undefined && previous !== 'ok');
}

async function readLevels(file: string): Promise<Record<string, NotifyLevel>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, NotifyLevel>) : {};
  } catch {
    // Missing or torn: treat as "nothing told yet"; the worst case is one repeated alert.
    return {};
  }
}

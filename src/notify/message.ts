import type { NotifyKind } from '../config/schema.js';
import { redact } from '../config/secrets.js';
import { hostName } from '../sets/set-id.js';
import { DRC_VERSION } from '../version.js';

export type NotifyLevel = 'ok' | 'warning' | 'critical';

/** Something worth telling a person: a failed backup, verify or drill, or a status change. */
export interface NotifyEvent {
  kind: NotifyKind;
  level: NotifyLevel;
  /** One line: "backup failed: app-db: mysqldump exited with 2". */
  summary: string;
  details?: string[];
  /** Narrows the event, e.g. the source of a drill; events with different subjects are tracked apart. */
  subject?: string;
}

export interface NotifyMessage {
  title: string;
  body: string;
  /** The generic webhook's JSON body. */
  payload: Record<string, unknown>;
}

/** Builds the text every channel sends; everything passes through redact() here, once. */
export function buildMessage(event: NotifyEvent, now = new Date()): NotifyMessage {
  const host = hostName();
  const summary = redact(event.summary);
  const details = (event.details ?? []).map(redact);
  const title = `[drc ${host}] ${event.level.toUpperCase()} ${event.kind}${event.subject ? ` ${event.subject}` : ''}: ${summary}`;
  const body = [summary, ...details.map((line) => `- ${line}`), '', `host ${host} · drc ${DRC_VERSION} · ${now.toISOString()}`].join('\n');
  return {
    title,
    body,
    payload: {
      source: 'drconsole',
      version: DRC_VERSION,
      host,
      at: now.toISOString(),
      kind: event.kind,
      level: event.level,
      ...(event.subject ? { subject: event.subject } : {}),
      summary,
      details,
    },
  };
}

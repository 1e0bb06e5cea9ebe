import nodemailer from 'nodemailer';
import type { NotifyConfig } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import type { NotifyMessage } from './message.js';

/** A notification must never hold up a backup for long: every send gives up after this. */
export const SEND_TIMEOUT_MS = 10_000;

type ChannelConfig = Exclude<NotifyConfig, { type: 'healthchecks' }>;

/** Sends one message over one channel; throws with the reason when it was not accepted. */
export async function sendToChannel(channel: ChannelConfig, message: NotifyMessage): Promise<void> {
  switch (channel.type) {
    case 'slack':
      return postJson(resolveSecret({ env: channel.urlEnv, file: channel.urlFile }, 'slack webhook URL'), {
        text: `*${message.title}*\n${message.body}`,
      });
    case 'webhook':
      return postJson(resolveSecret({ env: channel.urlEnv, file: channel.urlFile }, 'webhook URL'), message.payload);
    case 'email':
      return sendEmail(channel, message);
  }
}

export async function postJson(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'drconsole' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
  if (!response.ok) {
    const text = (await response.text().catch(() => '')).slice(0, 200);
    throw new Error(`HTTP ${response.status}${text ? `: ${text}` : ''}`);
  }
}

async function sendEmail(channel: Extract<ChannelConfig, { type: 'email' }>, message: NotifyMessage): Promise<void> {
  const smtpUrl = resolveSecret({ env: channel.smtpUrlEnv, file: channel.smtpUrlFile }, 'SMTP URL');
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
  });
  try {
    await transport.sendMail({ from: channel.from, to: channel.to, subject: message.title, text: message.body });
  } finally {
    transport.close();
  }
}

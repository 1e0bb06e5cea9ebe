import { setTimeout as sleep } from 'node:timers/promises';
import { DrcError, errorMessage } from '../../errors.js';
import { formatDuration, parseDuration } from '../../util/duration.js';
import type { CheckAction, CheckSpec, ServiceExpectation, WaitAction } from '../schema.js';
import { probeService } from './services.js';
import { spawnShell } from './spawn.js';
import { meetsExpectation, queryCheck } from './sql.js';
import { throwIfStopped, type ActionContext, type ActionResult } from './types.js';

const CHECK_TIMEOUT_MS = 60_000;
const WAIT_TIMEOUT_MS = 600_000;

interface CheckOutcome {
  ok: boolean;
  detail: string;
  /** What to do when it fails, where the check knows better than the generic hint. */
  hint?: string;
}

/** One check: passes or fails the step at once. */
export async function runCheckAction(check: CheckAction, context: ActionContext): Promise<ActionResult> {
  const timeoutMs = check.timeout ? parseDuration(check.timeout)! : CHECK_TIMEOUT_MS;
  const outcome = await attemptCheck(check, timeoutMs, context);
  throwIfStopped(context.signal);
  context.line(`${outcome.ok ? 'passed' : 'FAILED'}: ${describeCheck(check)}: ${outcome.detail}`);
  if (!outcome.ok) {
    throw new DrcError(`check failed: ${describeCheck(check)}: ${outcome.detail}`, {
      hint: outcome.hint ?? 'look into it, then retry the step; skip it (with a reason) only if the check itself is wrong',
    });
  }
  return { detail: outcome.detail };
}

/** Repeats a check until it passes or the timeout ends: "wait for the API to come back". */
export async function runWaitAction(wait: WaitAction, context: ActionContext): Promise<ActionResult> {
  const timeoutMs = wait.timeout ? parseDuration(wait.timeout)! : WAIT_TIMEOUT_MS;
  const intervalMs = parseDuration(wait.interval)!;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await attemptCheck(wait, Math.min(CHECK_TIMEOUT_MS, intervalMs * 4), context);
    throwIfStopped(context.signal);
    if (outcome.ok) {
      context.line(`passed on attempt ${attempt}: ${describeCheck(wait)}: ${outcome.detail}`);
      return { detail: `passed on attempt ${attempt}` };
    }
    if (Date.now() + intervalMs > deadline) {
      throw new DrcError(`still failing after ${formatDuration(timeoutMs)} (${attempt} attempts): ${describeCheck(wait)}: ${outcome.detail}`, {
        hint: 'retry the step to keep waiting, or follow the playbook\'s fallback',
      });
    }
    context.line(`attempt ${attempt}: ${outcome.detail}; next try in ${formatDuration(intervalMs)}`);
    await sleep(intervalMs, undefined, { signal: context.signal }).catch(() => undefined);
    throwIfStopped(context.signal);
  }
}

/** A check that cannot run (connection refused, DNS) counts as not passing, with the reason. */
async function attemptCheck(check: CheckSpec, timeoutMs: number, context: ActionContext): Promise<CheckOutcome> {
  try {
    if (check.sql !== undefined) return meetsExpectation(await queryCheck(context.config, check.source!, check.sql, timeoutMs), check.expect);
    if (check.http !== undefined) return await checkHttp(check, timeoutMs, context);
    if (check.command !== undefined) return await checkCommand(check, timeoutMs, context);
    if (check['calcom-api'] !== undefined || check['retell-api'] !== undefined) return await checkService(check, context);
    return { ok: false, detail: 'nothing to check' };
  } catch (error) {
    throwIfStopped(context.signal);
    return { ok: false, detail: errorMessage(error) };
  }
}

async function checkHttp(check: CheckSpec, timeoutMs: number, context: ActionContext): Promise<CheckOutcome> {
  const expected = check.status ?? 200;
  const response = await fetch(check.http!, {
    method: check.method ?? 'GET',
    signal: AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]),
    redirect: 'manual',
  });
  const body = check.contains !== undefined ? await response.text() : '';
  if (response.status !== expected) return { ok: false, detail: `HTTP ${response.status}, expected ${expected}` };
  if (check.contains !== undefined && !body.includes(check.contains)) {
    return { ok: false, detail: `HTTP ${response.status} but the body lacks "${check.contains}"` };
  }
  return { ok: true, detail: `HTTP ${response.status}` };
}

async function checkCommand(check: CheckSpec, timeoutMs: number, context: ActionContext): Promise<CheckOutcome> {
  const expected = check.exitCode ?? 0;
  const outcome = await spawnShell('sh', check.command!, timeoutMs, context);
  if (outcome.stoppedBecause) return { ok: false, detail: outcome.stoppedBecause };
  return { ok: outcome.exitCode === expected, detail: `exit code ${outcome.exitCode ?? 'unknown'}, expected ${expected}` };
}

/**
 * `expect: up` passes when the API answers with our key; `expect: down` passes only on a real
 * outage (no answer, 5xx). A refusal (rejected key, our rate limit) passes neither: it is ours.
 */
async function checkService(check: CheckSpec, context: ActionContext): Promise<CheckOutcome> {
  const expected = (check.expect ?? 'up') as ServiceExpectation;
  const vendor = check['calcom-api'] !== undefined ? 'Cal.com' : 'Retell';
  const probe = await probeService(context, (check['calcom-api'] ?? check['retell-api'])!);
  if (probe.state === expected) return { ok: true, detail: expected === 'down' ? `outage confirmed: ${probe.detail}` : probe.detail };
  if (probe.state === 'refused') {
    return {
      ok: false,
      detail: `${probe.detail}: ${vendor} answers but refuses us, which is not an outage`,
      hint: 'a rejected key: put a valid one where the message says; a 429: we are over our rate limit, back off',
    };
  }
  if (probe.state === 'up') {
    return {
      ok: false,
      detail: `${probe.detail}, so ${vendor} is not down`,
      hint: 'the problem is on our side (network, config, the app, its logs): stop this playbook and investigate there',
    };
  }
  return { ok: false, detail: probe.detail };
}

export function describeCheck(check: CheckSpec): string {
  if (check.name) return check.name;
  if (check.sql !== undefined) return `sql on ${check.source}`;
  if (check.http !== undefined) return `${check.method ?? 'GET'} ${check.http}`;
  if (check.command !== undefined) return `\`${check.command}\``;
  const api = check['calcom-api'] !== undefined ? `Cal.com API (${check['calcom-api']})` : `Retell API (${check['retell-api']})`;
  return `${api} is ${check.expect ?? 'up'}`;
}

import { describe, expect, test } from 'vitest';
import { isoWeek } from '../../src/retention/buckets.js';
import { hasKeepRule, planRetention, type RetentionCandidate } from '../../src/retention/plan.js';
import { makeSetId } from '../../src/sets/set-id.js';
import { dailyTimes } from '../helpers/fake-sets.js';

const NOW = new Date('2027-01-01T00:00:00Z');

function candidate(time: Date | string, options: Partial<Omit<RetentionCandidate, 'id' | 'time'>> = {}): RetentionCandidate {
  const at = typeof time === 'string' ? new Date(time) : time;
  return { id: makeSetId(at, 'web1'), time: at, status: 'complete', sources: ['app-db'], verified: false, ...options };
}

/** The dates (YYYY-MM-DD, plus the hour when two sets share a day) of the kept sets, newest first. */
function keptDays(plan: ReturnType<typeof planRetention>): string[] {
  return plan.decisions.filter((d) => d.action === 'keep').map((d) => d.time.toISOString().slice(0, 10));
}

function decisionFor(plan: ReturnType<typeof planRetention>, time: string) {
  const found = plan.decisions.find((d) => d.time.toISOString() === new Date(time).toISOString());
  if (!found) throw new Error(`no decision for ${time}`);
  return found;
}

describe('ISO weeks', () => {
  test('follow ISO 8601 across year ends', () => {
    expect(isoWeek(new Date('2026-12-31T02:15:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2027-01-01T02:15:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2025-12-29T02:15:00Z'))).toBe('2026-W01');
    expect(isoWeek(new Date('2026-12-27T02:15:00Z'))).toBe('2026-W52');
  });
});

describe('planRetention over a year of nightly sets', () => {
  const year = dailyTimes('2026-01-01', 365).map((time) => candidate(time));
  const plan = planRetention(year, { keepLast: 5, daily: 14, weekly: 4, monthly: 3 }, NOW);

  test('keeps 14 days, the Sundays closing 4 weeks, and the ends of 3 months: 17 sets', () => {
    const dailies = dailyTimes('2026-12-18', 14).map((t) => t.toISOString().slice(0, 10)).reverse();
    // Weeks: W53 (Dec 28–31) and W52/W51 are inside the 14 days; W50 adds Sunday Dec 13.
    // Months: December is inside; November 30 and October 31 are added.
    expect(keptDays(plan)).toEqual([...dailies, '2026-12-13', '2026-11-30', '2026-10-31']);
    expect(plan.keep).toHaveLength(17);
    expect(plan.drop).toHaveLength(365 - 17);
  });

  test('says why each set is kept', () => {
    expect(decisionFor(plan, '2026-12-31T02:15:00Z').reasons).toEqual([
      'newest complete set',
      'keep-last 5',
      'daily 2026-12-31',
      'weekly 2026-W53',
      'monthly 2026-12',
    ]);
    expect(decisionFor(plan, '2026-12-13T02:15:00Z').reasons).toEqual(['weekly 2026-W50']);
    expect(decisionFor(plan, '2026-10-31T02:15:00Z').reasons).toEqual(['monthly 2026-10']);
  });

  test('says why each set is dropped', () => {
    expect(decisionFor(plan, '2026-10-30T02:15:00Z')).toMatchObject({ action: 'drop', reasons: ['month 2026-10 is kept by a newer set'] });
    expect(decisionFor(plan, '2026-09-30T02:15:00Z')).toMatchObject({ action: 'drop', reasons: ['beyond monthly 3'] });
    expect(decisionFor(plan, '2026-01-01T02:15:00Z').reasons).toEqual(['beyond monthly 3']);
  });

  test('is a function of its input: same sets, same clock, same plan, whatever the input order', () => {
    const again = planRetention([...year].reverse(), { keepLast: 5, daily: 14, weekly: 4, monthly: 3 }, NOW);
    expect(again.keep).toEqual(plan.keep);
    expect(again.drop).toEqual(plan.drop);
  });

  test('yearly keeps the last set of each year', () => {
    const twoYears = dailyTimes('2025-06-01', 580).map((time) => candidate(time));
    const yearly = planRetention(twoYears, { daily: 1, yearly: 3 }, NOW);
    expect(keptDays(yearly)).toEqual(['2027-01-01', '2026-12-31', '2025-12-31']);
  });
});

describe('planRetention with gaps and several sets a day', () => {
  const sets = [
    candidate('2026-01-09T02:15:00Z'),
    candidate('2026-01-05T14:00:00Z'),
    candidate('2026-01-05T02:15:00Z'),
    candidate('2026-01-02T02:15:00Z'),
    candidate('2026-01-01T02:15:00Z'),
  ];

  test('daily counts days that have sets, so a gap reaches further back', () => {
    const plan = planRetention(sets, { daily: 3 }, NOW);
    expect(plan.decisions.map((d) => `${d.action} ${d.time.toISOString().slice(0, 13)}`)).toEqual([
      'keep 2026-01-09T02',
      'keep 2026-01-05T14',
      'drop 2026-01-05T02',
      'keep 2026-01-02T02',
      'drop 2026-01-01T02',
    ]);
    expect(decisionFor(plan, '2026-01-05T02:15:00Z').reasons).toEqual(['day 2026-01-05 is kept by a newer set']);
    expect(decisionFor(plan, '2026-01-01T02:15:00Z').reasons).toEqual(['beyond daily 3']);
  });

  test('hourly keeps one set per hour', () => {
    const plan = planRetention(sets, { hourly: 2 }, NOW);
    expect(plan.keep).toEqual([sets[0]!.id, sets[1]!.id]);
  });
});

describe('planRetention with partial sets', () => {
  test('a partial set never fills a bucket; kept while it is the newest copy, dropped once superseded', () => {
    const sets = [
      candidate('2026-03-04T02:15:00Z', { status: 'partial' }),
      candidate('2026-03-03T02:15:00Z'),
      candidate('2026-03-02T02:15:00Z', { status: 'partial' }),
      candidate('2026-03-01T02:15:00Z'),
      candidate('2026-02-28T02:15:00Z'),
    ];
    const plan = planRetention(sets, { daily: 2 }, NOW);
    expect(plan.decisions.map((d) => d.action)).toEqual(['keep', 'keep', 'drop', 'keep', 'drop']);
    expect(plan.decisions[0]!.reasons).toEqual(['partial, the newest copy']);
    expect(plan.decisions[2]!.reasons).toEqual([`partial, superseded by complete set ${sets[1]!.id}`]);
    expect(plan.decisions[3]!.reasons).toEqual(['daily 2026-03-01']);
  });

  test('a partial set stays while no complete set holding its source is newer', () => {
    const sets = [
      candidate('2026-03-05T02:15:00Z', { sources: ['core-db'] }),
      candidate('2026-03-04T02:15:00Z', { status: 'partial', sources: ['app-db'] }),
      candidate('2026-03-03T02:15:00Z', { sources: ['app-db', 'core-db'] }),
    ];
    const plan = planRetention(sets, { keepLast: 1 }, NOW);
    expect(plan.decisions[1]).toMatchObject({ action: 'keep', reasons: ['partial, the newest copy'] });
  });
});

describe('planRetention per source', () => {
  test('a set is kept when any source it holds needs it', () => {
    // app-db every night; core-db on its own, every Sunday (drc backup --source core-db).
    const appDb = dailyTimes('2026-06-01', 30).map((time) => candidate(time, { sources: ['app-db'] }));
    const coreDb = ['2026-05-03', '2026-05-10', '2026-05-17', '2026-05-24'].map((day) => candidate(`${day}T05:00:00Z`, { sources: ['core-db'] }));
    const plan = planRetention([...appDb, ...coreDb], { daily: 3 }, NOW);
    expect(keptDays(plan)).toEqual(['2026-06-30', '2026-06-29', '2026-06-28', '2026-05-24', '2026-05-17', '2026-05-10']);
    expect(decisionFor(plan, '2026-05-24T05:00:00Z').reasons).toEqual(['newest complete set', 'daily 2026-05-24']);
    expect(decisionFor(plan, '2026-05-03T05:00:00Z').reasons).toEqual(['beyond daily 3']);
  });

  test('names the source when a reason applies to only some of the set', () => {
    const sets = [
      candidate('2026-03-03T02:15:00Z', { sources: ['app-db'] }),
      candidate('2026-03-02T02:15:00Z', { sources: ['app-db', 'core-db'] }),
    ];
    const plan = planRetention(sets, { keepLast: 1 }, NOW);
    expect(plan.decisions[1]!.reasons).toEqual(['newest complete set (core-db)', 'keep-last 1 (core-db)']);
  });
});

describe('planRetention safety rules', () => {
  test('never drops the newest complete set, even under a policy that would', () => {
    const sets = [candidate('2026-12-30T02:15:00Z', { status: 'partial' }), candidate('2026-06-01T02:15:00Z')];
    const plan = planRetention(sets, { daily: 0, weekly: 0 }, NOW);
    expect(plan.drop).toEqual([]);
    expect(plan.decisions[1]!.reasons).toContain('newest complete set');
  });

  test('keeps the newest verified set when the policy would keep no verified one', () => {
    const sets = dailyTimes('2026-12-01', 10).map((time) => candidate(time, { verified: time.getUTCDate() <= 3 })).reverse();
    const plan = planRetention(sets, { keepLast: 2 }, NOW);
    expect(keptDays(plan)).toEqual(['2026-12-10', '2026-12-09', '2026-12-03']);
    expect(decisionFor(plan, '2026-12-03T02:15:00Z').reasons).toEqual(['newest verified set (the policy would keep no verified set)']);
  });

  test('does not add a verified set when one is kept anyway', () => {
    const sets = dailyTimes('2026-12-01', 5).map((time) => candidate(time, { verified: true })).reverse();
    expect(planRetention(sets, { keepLast: 2 }, NOW).keep).toHaveLength(2);
  });

  test('never touches unreadable sets or sets dated in the future', () => {
    const sets = [
      candidate('2027-03-01T02:15:00Z'),
      candidate('2026-12-31T02:15:00Z'),
      candidate('2020-01-01T02:15:00Z', { status: 'unreadable', sources: [] }),
    ];
    const plan = planRetention(sets, { keepLast: 1 }, NOW);
    expect(plan.drop).toEqual([]);
    expect(plan.decisions[0]!.reasons).toContain('dated in the future (clock of its host?)');
    expect(plan.decisions[2]!.reasons).toEqual(['manifest unreadable, never touched by prune']);
  });

  test('a policy without a keep rule is recognised', () => {
    expect(hasKeepRule({})).toBe(false);
    expect(hasKeepRule({ daily: 0 })).toBe(false);
    expect(hasKeepRule({ monthly: 1 })).toBe(true);
  });
});

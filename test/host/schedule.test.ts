/** Schedules and host.json defaults, as the host reads them. */
import { describe, expect, it } from 'vitest';
import { nextOccurrences, parseHostJson, parseTimeSpan, readHostJson } from '../../dev/host/index.js';
import { retryDelayMs } from '../../dev/host/timerRunner.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('nextOccurrences', () => {
  it('finds Monday 08:00 UTC for "0 0 8 * * 1"', () => {
    // 2026-11-25 is a Wednesday.
    expect(iso(nextOccurrences('0 0 8 * * 1', new Date('2026-11-25T12:00:00Z'), 3))).toEqual([
      '2026-11-30T08:00:00.000Z',
      '2026-12-07T08:00:00.000Z',
      '2026-12-14T08:00:00.000Z',
    ]);
  });

  it('is strictly after "from", also on an occurrence', () => {
    expect(iso(nextOccurrences('0 0 8 * * 1', new Date('2026-11-30T08:00:00Z'), 1))).toEqual(['2026-12-07T08:00:00.000Z']);
  });

  it('steps every five minutes for "0 */5 * * * *"', () => {
    expect(iso(nextOccurrences('0 */5 * * * *', new Date('2026-11-25T23:57:30Z'), 3))).toEqual([
      '2026-11-26T00:00:00.000Z',
      '2026-11-26T00:05:00.000Z',
      '2026-11-26T00:10:00.000Z',
    ]);
  });

  it('reads a TimeSpan as an interval from "from"', () => {
    expect(iso(nextOccurrences('01:30:00', new Date('2026-11-25T00:00:00Z'), 2))).toEqual([
      '2026-11-25T01:30:00.000Z',
      '2026-11-25T03:00:00.000Z',
    ]);
  });

  it('rejects five-field cron, which NCRONTAB with seconds does not accept', () => {
    expect(() => nextOccurrences('0 8 * * 1', new Date(), 1)).toThrow(/neither a 6-field NCRONTAB/);
  });
});

describe('host.json', () => {
  it('reads the repository host.json', () => {
    expect(readHostJson().queues).toEqual({
      messageEncoding: 'base64',
      batchSize: 16,
      newBatchThreshold: 8,
      maxDequeueCount: 5,
      visibilityTimeoutMs: 30_000,
      maxPollingIntervalMs: 2_000,
    });
  });

  it("fills in the host's defaults for absent settings", () => {
    expect(parseHostJson({ version: '2.0', extensions: { queues: { batchSize: 6 } } }).queues).toEqual({
      messageEncoding: 'base64',
      batchSize: 6,
      newBatchThreshold: 3,
      maxDequeueCount: 5,
      visibilityTimeoutMs: 0,
      maxPollingIntervalMs: 60_000,
    });
  });

  it('parses TimeSpans with days and fractions', () => {
    expect(parseTimeSpan('1.02:03:04.5')).toBe(((26 * 60 + 3) * 60 + 4) * 1000 + 500);
    expect(() => parseTimeSpan('5 minutes')).toThrow(/TimeSpan/);
  });
});

describe('retry delays', () => {
  it('waits the fixed delay every time', () => {
    expect([1, 2, 3].map((n) => retryDelayMs({ strategy: 'fixedDelay', maxRetryCount: 3, delayMs: 4000 }, n))).toEqual([4000, 4000, 4000]);
  });

  it('doubles from the minimum up to the maximum for exponentialBackoff', () => {
    const policy = { strategy: 'exponentialBackoff' as const, maxRetryCount: 5, minimumIntervalMs: 1000, maximumIntervalMs: 5000 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(policy, n))).toEqual([1000, 2000, 4000, 5000]);
  });
});

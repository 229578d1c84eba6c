import { describe, expect, it } from 'vitest';
import { ConfigError } from '@connectors/framework';
import { parseQuartzCron } from './quartz-cron.js';

const at = (iso: string) => new Date(iso);

describe('parseQuartzCron', () => {
  it('runs the default daily schedule at midnight UTC', () => {
    expect(parseQuartzCron('0 0 0 * * ?').nextAfter(at('2026-11-22T10:00:00Z'))?.toISOString()).toBe(
      '2026-11-23T00:00:00.000Z',
    );
  });

  it('keeps seconds (every 5 seconds)', () => {
    expect(parseQuartzCron('*/5 * * * * ?').nextAfter(at('2026-11-22T10:00:02Z'))?.toISOString()).toBe(
      '2026-11-22T10:00:05.000Z',
    );
  });

  it('reads Quartz day-of-week numbers and ranges (1=SUN)', () => {
    // 2-6 = MON-FRI; 2026-11-21 is a Saturday.
    expect(parseQuartzCron('0 30 9 ? * 2-6').nextAfter(at('2026-11-21T12:00:00Z'))?.toISOString()).toBe(
      '2026-11-23T09:30:00.000Z',
    );
    expect(parseQuartzCron('0 0 12 ? * 1').nextAfter(at('2026-11-21T12:00:00Z'))?.toISOString()).toBe(
      '2026-11-22T12:00:00.000Z',
    );
    expect(parseQuartzCron('0 0 12 ? * SAT').nextAfter(at('2026-11-22T12:00:00Z'))?.toISOString()).toBe(
      '2026-11-28T12:00:00.000Z',
    );
  });

  it('honours the optional year field', () => {
    expect(parseQuartzCron('0 0 0 1 1 ? 2028').nextAfter(at('2026-11-22T00:00:00Z'))?.toISOString()).toBe(
      '2028-01-01T00:00:00.000Z',
    );
    expect(parseQuartzCron('0 0 0 1 1 ? 2020').nextAfter(at('2026-11-22T00:00:00Z'))).toBeUndefined();
  });

  it('rejects malformed expressions with a ConfigError naming the problem', () => {
    for (const bad of ['* * * *', '0 0 0 * * 9', '0 0 0 * * ? 20x6', '0 61 * * * ?']) {
      const error = (() => {
        try {
          parseQuartzCron(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(ConfigError.isInstance(error), bad).toBe(true);
      expect((error as Error).message).toContain(bad);
    }
  });
});

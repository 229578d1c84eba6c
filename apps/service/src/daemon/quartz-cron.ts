import { ConfigError } from '@connectors/framework';
import { Cron } from 'croner';

/** A parsed Quartz cron expression (`sec min hour day-of-month month day-of-week [year]`, evaluated in UTC). */
export interface QuartzSchedule {
  /** The first occurrence strictly after `from`, or undefined when there is none (e.g. a past year). */
  nextAfter(from: Date): Date | undefined;
}

const DOW_NAMES = new Set(['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']);

/** Quartz numbers days of week 1 (SUN) … 7 (SAT); croner 0 (SUN) … 6 (SAT). */
function shiftDayOfWeek(field: string, expression: string): string {
  return field.replace(/\d+/g, (digits, offset: number, whole: string) => {
    // The number after `/` is a step, and after `#` an occurrence: they are not days.
    const before = whole[offset - 1];
    if (before === '/' || before === '#') return digits;
    const day = Number(digits);
    if (day < 1 || day > 7) {
      throw new ConfigError(`Invalid cron expression '${expression}'`, [
        `day-of-week ${day} is out of range (Quartz uses 1=SUN … 7=SAT)`,
      ]);
    }
    return String(day - 1);
  });
}

function yearMatcher(field: string, expression: string): (year: number) => boolean {
  if (field === '*' || field === '?') return () => true;
  const parts = field.split(',').map((part) => {
    const match = /^(\d{4})(?:-(\d{4}))?(?:\/(\d+))?$/.exec(part);
    if (!match)
      throw new ConfigError(`Invalid cron expression '${expression}'`, [
        `year field '${field}' is not supported`,
      ]);
    const start = Number(match[1]);
    const end = match[2] ? Number(match[2]) : match[3] ? 2199 : start;
    const step = match[3] ? Number(match[3]) : 1;
    return { start, end, step };
  });
  return (year) => parts.some((p) => year >= p.start && year <= p.end && (year - p.start) % p.step === 0);
}

/**
 * Parses a Quartz cron expression with full Quartz semantics, seconds included (the Python service drops
 * seconds and mis-maps day-of-week ranges: spec §13.4). Throws a ConfigError naming the problem.
 */
export function parseQuartzCron(expression: string): QuartzSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 6 || fields.length > 7) {
    throw new ConfigError(`Invalid cron expression '${expression}'`, [
      `expected 6 or 7 fields (sec min hour day-of-month month day-of-week [year]), got ${fields.length}`,
    ]);
  }
  const [second, minute, hour, dayOfMonth, month, dayOfWeek, year = '*'] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  const dow = dayOfWeek === '?' ? '*' : shiftDayOfWeek(dayOfWeek.toUpperCase(), expression);
  for (const name of dow.match(/[A-Z]{3}/g) ?? []) {
    if (!DOW_NAMES.has(name))
      throw new ConfigError(`Invalid cron expression '${expression}'`, [`unknown day '${name}'`]);
  }
  const dom = dayOfMonth === '?' ? '*' : dayOfMonth;
  const pattern = [second, minute, hour, dom, month, dow].join(' ');
  let cron: Cron;
  try {
    cron = new Cron(pattern, { timezone: 'Etc/UTC', paused: true, legacyMode: true });
  } catch (error) {
    throw new ConfigError(`Invalid cron expression '${expression}'`, [(error as Error).message]);
  }
  const yearOk = yearMatcher(year, expression);
  return {
    nextAfter(from) {
      let cursor = from;
      for (let i = 0; i < 10_000; i += 1) {
        const next = cron.nextRun(cursor);
        if (!next) return undefined;
        if (yearOk(next.getUTCFullYear())) return next;
        // Jump to the start of the next year.
        cursor = new Date(Date.UTC(next.getUTCFullYear() + 1, 0, 1) - 1000);
        if (next.getUTCFullYear() > 2199) return undefined;
      }
      return undefined;
    },
  };
}

import * as z from 'zod';

/**
 * Weekly opening hours in an IANA time zone, and the one question asked of them: open at `now`?
 * Wall-clock time comes from `Intl.DateTimeFormat` (the runtime's time-zone database; no I/O),
 * so daylight-saving changes need nothing special: 08:00 in Paris is 08:00 in winter and summer.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One cached formatter per zone; throws RangeError for a zone the runtime does not know. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(value: string): boolean {
  try {
    formatterFor(value);
    return true;
  } catch {
    return false;
  }
}

export const TimeZone = z
  .string({ error: 'timeZone must be a string' })
  .refine(isTimeZone, { error: (iss) => `unknown IANA time zone ${JSON.stringify(iss.input)}` });

const HHMM = '(?:[01]\\d|2[0-3]):[0-5]\\d';
const RANGE = new RegExp(`^(${HHMM})-(${HHMM}|24:00)$`);

const minutesOf = (hhmm: string): number => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** `HH:MM-HH:MM`, 24-hour, close after open; `24:00` closes at midnight. */
export const TimeRange = z
  .string({ error: 'a time range must be a string' })
  .superRefine((v, ctx) => {
    const m = RANGE.exec(v);
    if (!m) {
      ctx.addIssue({
        code: 'custom',
        message: `expected HH:MM-HH:MM (24-hour, e.g. 08:30-18:00), got ${JSON.stringify(v)}`,
      });
    } else if (minutesOf(m[1] ?? '') >= minutesOf(m[2] ?? '')) {
      ctx.addIssue({
        code: 'custom',
        message: `${v} closes before it opens (split a range across midnight into two days)`,
      });
    }
  });

const DayRanges = z.array(TimeRange, { error: 'a day takes a list of ranges' }).optional();

const IsoDate = z.iso.date({ error: 'expected a date YYYY-MM-DD' });

/** A day missing from `weekly` is closed. `closedDates` are local dates (holidays). */
export const WeeklySchedule = z.strictObject({
  timeZone: TimeZone,
  weekly: z.strictObject(
    {
      mon: DayRanges,
      tue: DayRanges,
      wed: DayRanges,
      thu: DayRanges,
      fri: DayRanges,
      sat: DayRanges,
      sun: DayRanges,
    },
    { error: 'weekly must map mon..sun to lists of HH:MM-HH:MM ranges' },
  ),
  closedDates: z.array(IsoDate).optional(),
});
export type WeeklySchedule = z.infer<typeof WeeklySchedule>;

export interface LocalTime {
  /** `YYYY-MM-DD` in the zone. */
  date: string;
  weekday: Weekday;
  /** Minutes since local midnight, 0..1439. */
  minutes: number;
}

/** The wall-clock date, weekday and time at `now` in `timeZone`. */
export function localTime(timeZone: string, now: Date): LocalTime {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const weekday = (parts.weekday ?? '').toLowerCase().slice(0, 3) as Weekday;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Whether `schedule` is open at `now` (ranges include their opening minute, not their close). */
export function isOpen(schedule: WeeklySchedule, now: Date): boolean {
  const local = localTime(schedule.timeZone, now);
  if (schedule.closedDates?.includes(local.date)) return false;
  return (schedule.weekly[local.weekday] ?? []).some((range) => {
    const [open = '', close = ''] = range.split('-');
    return minutesOf(open) <= local.minutes && local.minutes < minutesOf(close);
  });
}

import { WEEKDAYS, isOpen, localTime, type WeeklySchedule } from './business-hours';

/**
 * When a closed schedule next opens, and how to tell a customer so in their language. Pure:
 * wall-clock arithmetic goes through `localTime` (the runtime's time-zone database), so
 * daylight-saving changes and holidays (`closedDates`) need nothing special here.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** How far ahead to look: a year and a bit covers any list of holidays. */
const HORIZON_DAYS = 370;

const minutesOf = (hhmm: string): number => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** `YYYY-MM-DD` as UTC midnight in ms (a calendar date, not an instant). */
const dateMs = (date: string): number => {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
};

const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** How far `timeZone`'s wall clock is ahead of UTC at `instantMs`, in ms. */
function offsetAt(timeZone: string, instantMs: number): number {
  const minute = Math.floor(instantMs / MINUTE_MS) * MINUTE_MS;
  const local = localTime(timeZone, new Date(minute));
  return dateMs(local.date) + local.minutes * MINUTE_MS - minute;
}

/**
 * The instant the wall clock of `timeZone` shows `minutes` past midnight of `date`. In a
 * daylight-saving gap (a time that doesn't exist) it is the instant just after the jump.
 */
export function zonedInstant(timeZone: string, date: string, minutes: number): Date {
  const wall = dateMs(date) + minutes * MINUTE_MS;
  const first = wall - offsetAt(timeZone, wall);
  const second = wall - offsetAt(timeZone, first);
  return new Date(Math.max(first, second));
}

/**
 * The first instant after `now` at which `schedule` is open, or undefined when it never opens
 * within a year. If it is open at `now`, `now` itself.
 */
export function nextOpening(schedule: WeeklySchedule, now: Date): Date | undefined {
  if (isOpen(schedule, now)) return now;
  const today = localTime(schedule.timeZone, now).date;
  for (let d = 0; d <= HORIZON_DAYS; d++) {
    const date = dateOf(dateMs(today) + d * DAY_MS);
    if (schedule.closedDates?.includes(date)) continue;
    // 1970-01-01 was a Thursday; WEEKDAYS starts on Monday.
    const weekday = WEEKDAYS[(Math.floor(dateMs(date) / DAY_MS) + 3) % 7];
    const opens = (weekday ? (schedule.weekly[weekday] ?? []) : [])
      .map((range) => minutesOf(range.split('-')[0] ?? ''))
      .sort((a, b) => a - b);
    for (const minutes of opens) {
      const at = zonedInstant(schedule.timeZone, date, minutes);
      if (at.getTime() > now.getTime() && isOpen(schedule, at)) return at;
    }
  }
  return undefined;
}

/** The sentence, per language, that says when humans are back; `{when}` is a formatted date. */
const BACK_AT = {
  en: (when) => `Our team will be back on ${when}.`,
  fr: (when) => `Notre équipe sera de retour le ${when}.`,
  es: (when) => `Nuestro equipo volverá el ${when}.`,
  de: (when) => `Unser Team ist ab ${when} wieder für Sie da.`,
  it: (when) => `Il nostro team tornerà ${when}.`,
  nl: (when) => `Ons team is er weer op ${when}.`,
  pt: (when) => `A nossa equipa estará de volta ${when}.`,
} satisfies Record<string, (when: string) => string>;

const languageOf = (locale: string): string =>
  locale.trim().replace(/_/g, '-').toLowerCase().split('-')[0] ?? '';

/**
 * "Our team will be back on Tuesday, December 1 at 8:00 AM Central European Time.": the
 * opening in the schedule's time zone, worded and formatted for `locale` (English for a
 * language without a sentence here).
 */
export function describeReturn(at: Date, timeZone: string, locale: string): string {
  const language = languageOf(locale);
  const sentence = (BACK_AT as Record<string, ((when: string) => string) | undefined>)[language];
  const formatLocale = sentence ? locale.replace(/_/g, '-') : 'en';
  let when: string;
  try {
    when = formatWhen(at, timeZone, formatLocale);
  } catch {
    // A locale tag the runtime rejects: English formatting still names the right moment.
    when = formatWhen(at, timeZone, 'en');
  }
  return (sentence ?? BACK_AT.en)(when);
}

function formatWhen(at: Date, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'longGeneric',
  }).format(at);
}

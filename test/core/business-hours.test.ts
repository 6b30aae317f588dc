import type { WeeklySchedule } from '../../functions/core/business-hours';
import { isOpen, isTimeZone, localTime } from '../../functions/core/business-hours';
import { loadBrandConfig } from '../../functions/core/brand-config';
import { sampleBrandDocument } from '../../functions/local/sample-brand';

const weekdays = (range: string) => ({
  mon: [range],
  tue: [range],
  wed: [range],
  thu: [range],
  fri: [range],
});
const schedule = (timeZone: string, weekly: WeeklySchedule['weekly'], closedDates?: string[]) => ({
  timeZone,
  weekly,
  ...(closedDates ? { closedDates } : {}),
});
const at = (iso: string) => new Date(iso);

describe('isOpen: the clock is injected, the wall time is the zone’s', () => {
  const paris = schedule('Europe/Paris', weekdays('09:00-18:00'));
  const losAngeles = schedule('America/Los_Angeles', weekdays('09:00-17:00'));
  const tokyo = schedule('Asia/Tokyo', weekdays('09:00-18:00'));

  it.each<[string, WeeklySchedule, string, boolean]>([
    // 2026-11-25 is a Wednesday; Paris is UTC+1 in winter, UTC+2 in summer.
    ['Paris, a minute before opening (winter)', paris, '2026-11-25T07:59:00Z', false],
    ['Paris, at opening (winter)', paris, '2026-11-25T08:00:00Z', true],
    ['Paris, a minute before closing', paris, '2026-11-25T16:59:00Z', true],
    ['Paris, at closing: closed', paris, '2026-11-25T17:00:00Z', false],
    ['Paris, at opening (summer time)', paris, '2026-07-15T07:00:00Z', true],
    ['Paris, 08:59 summer time', paris, '2026-07-15T06:59:00Z', false],
    ['Los Angeles at 09:00 PST, when Paris has closed', losAngeles, '2026-11-25T17:00:00Z', true],
    ['Paris at that same instant', paris, '2026-11-25T17:00:00Z', false],
    ['Tokyo, Friday 17:59', tokyo, '2026-11-27T08:59:00Z', true],
    // Friday 15:30 UTC is already Saturday 00:30 in Tokyo: the weekday is the zone's.
    ['Tokyo, Saturday 00:30 (still Friday in UTC)', tokyo, '2026-11-27T15:30:00Z', false],
    ['Los Angeles, Tuesday 23:30 (Wednesday in UTC)', losAngeles, '2026-11-25T07:30:00Z', false],
  ])('%s', (_name, hours, now, open) => {
    expect(isOpen(hours, at(now))).toBe(open);
  });

  it('follows daylight saving time on the night it changes', () => {
    // 2026-03-29, Paris: 02:00 CET becomes 03:00 CEST.
    const night = schedule('Europe/Paris', { sun: ['01:00-04:00'] });
    expect(isOpen(night, at('2026-03-29T00:30:00Z'))).toBe(true); // 01:30 CET
    expect(isOpen(night, at('2026-03-29T01:30:00Z'))).toBe(true); // 03:30 CEST
    expect(isOpen(night, at('2026-03-29T02:00:00Z'))).toBe(false); // 04:00 CEST
  });

  it('closes at 24:00, then the next day’s ranges apply', () => {
    const late = schedule('Europe/Paris', { fri: ['18:00-24:00'] });
    expect(isOpen(late, at('2026-11-27T22:59:00Z'))).toBe(true); // Fri 23:59
    expect(isOpen(late, at('2026-11-27T23:00:00Z'))).toBe(false); // Sat 00:00
  });

  it('keeps closed dates closed, in the zone’s calendar', () => {
    const christmas = schedule('Europe/Paris', weekdays('00:00-24:00'), ['2026-12-25']);
    expect(isOpen(christmas, at('2026-12-24T22:59:00Z'))).toBe(true); // Thu 24th 23:59
    expect(isOpen(christmas, at('2026-12-24T23:00:00Z'))).toBe(false); // Fri 25th 00:00
  });

  it('treats a day without ranges as closed', () => {
    expect(isOpen(paris, at('2026-11-29T10:00:00Z'))).toBe(false); // Sunday
  });
});

describe('localTime', () => {
  it('gives the date, weekday and minutes in the zone', () => {
    const now = at('2026-11-25T23:30:00Z');
    expect(localTime('Pacific/Kiritimati', now)).toEqual({
      date: '2026-11-26',
      weekday: 'thu',
      minutes: 13 * 60 + 30,
    });
    expect(localTime('Pacific/Pago_Pago', now)).toEqual({
      date: '2026-11-25',
      weekday: 'wed',
      minutes: 12 * 60 + 30,
    });
    expect(localTime('UTC', at('2026-11-25T00:00:00Z')).minutes).toBe(0);
  });

  it('knows the IANA zones of the runtime', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('America/Montreal')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('the sample brand', () => {
  const brand = loadBrandConfig(sampleBrandDocument());

  it('has its humans (and its bot) available at every hour of every day', () => {
    for (let hour = 0; hour < 24 * 7; hour++) {
      const now = new Date(Date.UTC(2026, 10, 23, hour, 30));
      expect(isOpen(brand.hours.human, now)).toBe(true);
      expect(isOpen(brand.hours.bot, now)).toBe(true);
    }
    expect(brand.hours.human.returnToBotWhenOffline).toBe(true);
  });
});

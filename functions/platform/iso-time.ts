/**
 * `date.toISOString()`, for the timestamps written on every request (the webhook's `receivedAt`,
 * each log line's `timestamp`, the in-memory bus's `publishTime`). V8's `toISOString` goes
 * through the runtime's date cache on each call; under the webhook's load it was the largest
 * single line of the handler's own time. The date part changes once a day, so it is cut from
 * `toISOString` once per UTC day and the time of day is formatted here; the text is the same.
 */
const DAY_MS = 86_400_000;
let dayStart = NaN;
let dayEnd = NaN;
/** `YYYY-MM-DDT` (or `±YYYYYY-MM-DDT`) of the day that starts at `dayStart`. */
let dayPrefix = '';

export function isoTimestamp(date: Date): string {
  const ms = date.getTime();
  // NaN fails both comparisons: an invalid date throws toISOString's own RangeError.
  if (!(ms >= dayStart && ms < dayEnd)) {
    const text = date.toISOString();
    dayStart = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
    dayEnd = dayStart + DAY_MS;
    dayPrefix = text.slice(0, text.indexOf('T') + 1);
    return text;
  }
  let rest = ms - dayStart;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${dayPrefix}${two(hours)}:${two(minutes)}:${two(seconds)}.${three(millis)}Z`;
}

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

import {
  cannedText,
  matchCanned,
  replaceRange,
  slashQueryAt,
} from '../../functions/agent-api/console/src/canned';
import {
  elapsed,
  handoffReasonWords,
  previewOf,
} from '../../functions/agent-api/console/src/format';
import { languageFor, setLanguage, t } from '../../functions/agent-api/console/src/i18n';
import { TypingSignal } from '../../functions/agent-api/console/src/typing';

// The console's pure parts, without a browser: canned responses, reasons, the typing signal.

const HOURS = {
  shortcut: 'hours',
  title: 'Opening hours',
  text: { en: 'Open 8–19', fr: 'Ouvert de 8 h à 19 h', 'en-GB': 'Open 8–19 (UK)' },
};
const HELLO = { shortcut: 'hello', title: 'Greeting', text: { fr: 'Bonjour' } };
const THANKS = { shortcut: 'thanks', title: 'Thanks and goodbye', text: { en: 'Thanks!' } };

describe('canned responses', () => {
  it.each([
    { text: '/ho', cursor: 3, expected: { start: 0, query: 'ho' } },
    { text: 'Hi /', cursor: 4, expected: { start: 3, query: '' } },
    { text: 'Hi /thanks and', cursor: 10, expected: { start: 3, query: 'thanks' } },
    { text: 'and/or', cursor: 6, expected: null },
    { text: 'https://x', cursor: 9, expected: null },
    { text: 'Hi /ho there', cursor: 12, expected: null },
  ])('slashQueryAt($text, $cursor)', ({ text, cursor, expected }) => {
    expect(slashQueryAt(text, cursor)).toEqual(expected);
  });

  it('matches shortcuts first, then titles', () => {
    const all = [HOURS, HELLO, THANKS];
    expect(matchCanned(all, '').map((r) => r.shortcut)).toEqual(['hours', 'hello', 'thanks']);
    expect(matchCanned(all, 'h').map((r) => r.shortcut)).toEqual(['hours', 'hello', 'thanks']);
    expect(matchCanned(all, 'HO').map((r) => r.shortcut)).toEqual(['hours']);
    expect(matchCanned(all, 'good').map((r) => r.shortcut)).toEqual(['thanks']);
    expect(matchCanned(all, 'zzz')).toEqual([]);
  });

  it.each([
    { locale: 'en-GB', fallback: 'fr', expected: 'Open 8–19 (UK)' },
    { locale: 'en', fallback: 'fr', expected: 'Open 8–19' },
    { locale: 'fr-CA', fallback: 'en', expected: 'Ouvert de 8 h à 19 h' },
    { locale: 'de', fallback: 'fr', expected: 'Ouvert de 8 h à 19 h' },
    { locale: null, fallback: null, expected: 'Open 8–19' },
  ])('chooses the text for $locale (brand default $fallback)', ({ locale, fallback, expected }) => {
    expect(cannedText(HOURS, locale, fallback)).toBe(expected);
  });

  it('falls back to the only text there is', () => {
    expect(cannedText(HELLO, 'en', 'en')).toBe('Bonjour');
  });

  it('replaces the /shortcut with the text, cursor after it', () => {
    expect(replaceRange('Hi /ho!', 3, 6, 'Open 8–19')).toEqual({
      text: 'Hi Open 8–19!',
      cursor: 12,
    });
  });
});

describe('words', () => {
  afterEach(() => setLanguage('en'));

  it.each([
    ['asked-for-human', 'Asked for a person', 'A demandé une personne'],
    [
      'live-agent-requested',
      'Tapped “talk to a person”',
      'A touché «\u00a0parler à une personne\u00a0»',
    ],
    ['bot-missed-3', 'Bot missed 3 times', 'Le robot n’a pas compris 3 fois'],
    ['bot-missed-1', 'Bot missed once', 'Le robot n’a pas compris une fois'],
    ['out-of-hours', 'Out of hours', 'Hors des heures d’ouverture'],
    ['something-new', 'something-new', 'something-new'],
  ])('the reason %s', (reason, en, fr) => {
    expect(handoffReasonWords(reason)).toBe(en);
    setLanguage('fr');
    expect(handoffReasonWords(reason)).toBe(fr);
  });

  it('has no reason for null', () => {
    expect(handoffReasonWords(null)).toBe('');
  });

  it('picks French only when the browser prefers it', () => {
    expect(languageFor(['fr-FR', 'en'])).toBe('fr');
    expect(languageFor(['de-DE', 'fr'])).toBe('fr');
    expect(languageFor(['en-GB', 'fr'])).toBe('en');
    expect(languageFor(['es'])).toBe('en');
  });

  it('fills placeholders', () => {
    expect(t('takenBy', { name: 'Sam' })).toBe('Taken by Sam');
  });

  it('shows waits as clocks and previews on one line', () => {
    expect(elapsed(42_000)).toBe('0:42');
    expect(elapsed(725_000)).toBe('12:05');
    expect(elapsed(3_800_000)).toBe('1:03:20');
    expect(elapsed(-5)).toBe('0:00');
    expect(previewOf({ kind: 'text', text: 'a\n  b', at: '' })).toBe('a b');
    expect(previewOf({ kind: 'image', at: '' })).toBe('[Photo]');
    expect(previewOf(null)).toBe('');
  });
});

describe('TypingSignal', () => {
  const fakeTimers = () => {
    let next = 1;
    const pending = new Map<number, () => void>();
    return {
      timers: {
        setTimeout: (fn: () => void) => {
          pending.set(next, fn);
          return next++;
        },
        clearTimeout: (handle: number) => void pending.delete(handle),
      },
      fire: () => {
        const fns = [...pending.values()];
        pending.clear();
        for (const fn of fns) fn();
      },
    };
  };

  it('starts once per idle period, however many keystrokes, and stops after the pause', () => {
    const posted: boolean[] = [];
    const clock = fakeTimers();
    const signal = new TypingSignal((b) => posted.push(b), clock.timers, 3000);
    for (let i = 0; i < 20; i++) signal.keystroke();
    expect(posted).toEqual([true]);
    clock.fire();
    expect(posted).toEqual([true, false]);
    signal.keystroke();
    expect(posted).toEqual([true, false, true]);
  });

  it('stops on send, and only if started', () => {
    const posted: boolean[] = [];
    const signal = new TypingSignal((b) => posted.push(b), fakeTimers().timers);
    signal.stop();
    expect(posted).toEqual([]);
    signal.keystroke();
    signal.stop();
    signal.stop();
    expect(posted).toEqual([true, false]);
    expect(signal.active).toBe(false);
  });
});

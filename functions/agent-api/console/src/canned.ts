import type { CannedResponse } from './types';

/** A `/shortcut` being typed just before the cursor: where its slash is, and what follows it. */
export interface SlashQuery {
  start: number;
  query: string;
}

/** The `/query` that ends at `cursor`, if the slash starts the text or follows a space. */
export function slashQueryAt(text: string, cursor: number): SlashQuery | null {
  const before = text.slice(0, cursor);
  const match = /(^|\s)\/([\p{L}\p{N}_-]*)$/u.exec(before);
  if (!match) return null;
  const query = match[2] ?? '';
  return { start: cursor - query.length - 1, query };
}

/** Canned responses for a query: shortcuts that start with it first, then titles containing it. */
export function matchCanned(responses: readonly CannedResponse[], query: string): CannedResponse[] {
  const q = query.toLowerCase();
  const byShortcut = responses.filter((r) => r.shortcut.toLowerCase().startsWith(q));
  const byTitle = q
    ? responses.filter((r) => !byShortcut.includes(r) && r.title.toLowerCase().includes(q))
    : [];
  return [...byShortcut, ...byTitle];
}

const languageOf = (tag: string) => tag.toLowerCase().split('-')[0] ?? '';

function textFor(text: Record<string, string>, locale: string | null | undefined): string | null {
  if (!locale) return null;
  const keys = Object.keys(text);
  const exact = keys.find((k) => k.toLowerCase() === locale.toLowerCase());
  if (exact !== undefined) return text[exact] ?? null;
  const lang = languageOf(locale);
  const sameLanguage = keys.find((k) => languageOf(k) === lang);
  return sameLanguage !== undefined ? (text[sameLanguage] ?? null) : null;
}

/**
 * The text of a canned response for a conversation: in the conversation's language (full tag,
 * then the language part), else the brand's default locale, else the first one.
 */
export function cannedText(
  response: CannedResponse,
  conversationLocale: string | null | undefined,
  defaultLocale: string | null | undefined,
): string {
  return (
    textFor(response.text, conversationLocale) ??
    textFor(response.text, defaultLocale) ??
    Object.values(response.text)[0] ??
    ''
  );
}

/** `text` with `[start, end)` replaced by `insert`, and where the cursor goes after it. */
export function replaceRange(
  text: string,
  start: number,
  end: number,
  insert: string,
): { text: string; cursor: number } {
  return { text: text.slice(0, start) + insert + text.slice(end), cursor: start + insert.length };
}

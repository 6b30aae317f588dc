/**
 * Which of a brand's languages to answer in. Candidates are tried in order (Google's
 * `resolvedLocale`, then the device locale, then what the conversation remembers); each is
 * matched exactly (`fr-CA` to a brand's `fr-CA`) and then by language (`fr-CA` to `fr`). The
 * first candidate that matches wins; when none does, the brand's default.
 */

/** `fr_ca`, `FR-ca` → `fr-ca`: BCP 47 compares case-insensitively. */
const canonical = (tag: string): string => tag.trim().replace(/_/g, '-').toLowerCase();

const languageOf = (tag: string): string => canonical(tag).split('-')[0] ?? '';

/** The brand locale (as the brand spells it) for the first candidate that has one, else `fallback`. */
export function chooseLocale(
  supported: readonly string[],
  candidates: readonly (string | undefined)[],
  fallback: string,
): string {
  for (const candidate of candidates) {
    if (candidate === undefined || candidate.trim() === '') continue;
    const exact = supported.find((s) => canonical(s) === canonical(candidate));
    if (exact !== undefined) return exact;
    const language = languageOf(candidate);
    const sameLanguage =
      supported.find((s) => canonical(s) === language) ??
      supported.find((s) => languageOf(s) === language);
    if (sameLanguage !== undefined) return sameLanguage;
  }
  return fallback;
}

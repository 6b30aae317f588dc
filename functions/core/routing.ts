import type { Conversation, RoutingDecision } from './conversation';
import type { InboundEvent } from './inbound-event';

/**
 * Where an inbound event goes: to automation, to the live agents, or nowhere. Pure; the first
 * rule that matches wins (README "Routing rules" is this table):
 *
 * | # | when | route | reason |
 * |---|------|-------|--------|
 * | 1 | receipts | – | `receipts` |
 * | 2 | typing while a human is engaged (`with_agent`) | live-agent | `human-engaged` |
 * | 3 | typing otherwise | – | `no-human-engaged` |
 * | 4 | survey answer | – | `survey-answer` |
 * | 5 | unknown kind | – | `unknown-kind` |
 * | 6 | authentication response | automation | `authentication` |
 * | 7 | conversation `queued` | live-agent | `queued` |
 * | 8 | conversation `with_agent` | live-agent | `human-engaged` |
 * | 9 | stale event (older than the last claim/release/close) | – | `stale` |
 * | 10 | conversation `closed` (a message not allowed to reopen it) | – | `closed` |
 * | 11 | live agent requested (`userStatus.requestedLiveAgent`) | live-agent | `live-agent-requested` |
 * | 12 | text or chip text asks for a human, in English or French | live-agent | `asked-for-human` |
 * | 13 | the bot missed `missThreshold` times in a row | live-agent | `bot-missed-N` |
 * | 14 | otherwise | automation | `default` |
 */

export interface RoutingSettings {
  /** Consecutive bot misses that hand the conversation to a human (per brand). */
  missThreshold: number;
}

export const DEFAULT_MISS_THRESHOLD = 2;

export function route(
  conversation: Conversation | null,
  event: InboundEvent,
  settings: RoutingSettings,
  stale = false,
): RoutingDecision {
  const state = conversation?.state;
  switch (event.kind) {
    case 'receipts':
      return { route: null, reason: 'receipts' };
    case 'typing':
      return state === 'with_agent'
        ? { route: 'live-agent', reason: 'human-engaged' }
        : { route: null, reason: 'no-human-engaged' };
    case 'survey':
      return { route: null, reason: 'survey-answer' };
    case 'unknown':
      return { route: null, reason: 'unknown-kind' };
    case 'authentication':
      return { route: 'automation', reason: 'authentication' };
    default:
      break;
  }
  if (state === 'queued') return { route: 'live-agent', reason: 'queued' };
  if (state === 'with_agent') return { route: 'live-agent', reason: 'human-engaged' };
  if (stale) {
    // Written before the last claim/release/close, it may not move the state (no re-queueing a
    // conversation an agent just released), but a message to a conversation the bot now holds
    // still deserves an answer: nobody else will give one.
    const answerable = state === 'bot' && event.kind !== 'liveAgentRequest';
    return answerable ? { route: 'automation', reason: 'stale' } : { route: null, reason: 'stale' };
  }
  if (state === 'closed') return { route: null, reason: 'closed' };
  if (event.kind === 'liveAgentRequest') {
    return { route: 'live-agent', reason: 'live-agent-requested' };
  }
  const words = event.kind === 'text' ? event.text : event.kind === 'suggestion' ? event.text : '';
  if (words !== undefined && asksForHuman(words)) {
    return { route: 'live-agent', reason: 'asked-for-human' };
  }
  const misses = conversation?.botMisses ?? 0;
  if (misses >= settings.missThreshold) {
    return { route: 'live-agent', reason: `bot-missed-${misses}` };
  }
  return { route: 'automation', reason: 'default' };
}

// ---------------------------------------------------------------------------------------------
// "Can I talk to a human?"

/**
 * Phrases that ask for a person, matched on text folded to lower case without accents and with
 * typographic apostrophes made plain. Whole words only (`agent`, not `agenda`); a bare
 * "someone"/"une personne" counts only where it asks for one ("talk to someone", not "a table
 * for one person"/"pour une personne").
 */
const HUMAN_REQUEST: readonly RegExp[] = [
  // English
  /\bagents?\b/,
  /\bhumans?\b/,
  /\brepresentatives?\b/,
  /\boperators?\b/,
  /\b(?:real|actual|live) (?:person|people|someone|somebody)\b/,
  /\b(?:talk|speak|chat|connect me) (?:to|with) (?:someone|somebody|anyone|a person|people|staff|a manager)\b/,
  /\b(?:need|want) (?:someone|somebody)\b/,
  /\b(?:can|could) (?:someone|somebody) (?:help|call|contact|talk|speak)\b/,
  /\bcustomer (?:service|support|care)\b/,
  // French
  /\bconseill(?:er|ere)s?\b/,
  /\bhumaine?s?\b/,
  /\b(?:vraie?|veritable) personne\b/,
  /\bpersonne (?:reelle|physique|humaine)\b/,
  /(?<!\b(?:pour|par|chaque) )(?<!d')\bune personne\b/,
  /\b(?:parler|discuter|echanger) (?:a|avec) (?:quelqu'un|un etre humain|du personnel)\b/,
  /\bparler (?:a|au|avec) (?:un |une |le |la )?(?:responsable|gerante?|vendeuse|vendeur)\b/,
  /\bquelqu'un (?:de|du) (?:l'equipe|service|magasin|personnel|votre)\b/,
  /\bservice (?:client|clientele)\b/,
  /\boperat(?:eur|rice)s?\b/,
];

/** Whether a customer's words ask for a human, in English or French. */
export function asksForHuman(text: string): boolean {
  const folded = fold(text);
  return HUMAN_REQUEST.some((pattern) => pattern.test(folded));
}

/** Lower case, no diacritics, plain apostrophes, single spaces. */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc\u0060\u00b4]/g, "'")
    .replace(/\s+/g, ' ');
}

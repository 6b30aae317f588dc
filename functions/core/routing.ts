import type { Conversation, RoutingDecision } from './conversation';
import type { InboundEvent } from './inbound-event';
import { normalizeText } from './text-matching';

/**
 * Where an inbound event goes: to automation, to the live agents, or nowhere. Pure; the first
 * rule that matches wins. The rules are described once, in the README's "Routing" table, in the
 * order this function tries them; test/core/routing-readme.test.ts checks that the table names
 * every reason given here, and no other.
 */

export interface RoutingSettings {
  /** Consecutive bot misses that hand the conversation to a human (per brand). */
  missThreshold: number;
}

export const DEFAULT_MISS_THRESHOLD = 2;

/**
 * The routing settings in a stored brand document (`routing.missThreshold`), read from that
 * field alone: the classifier keeps routing while the rest of the document is broken. The
 * default when there is no document or the field is not a positive integer.
 */
export function routingSettingsOf(document: unknown): RoutingSettings {
  const routing = (document as { routing?: { missThreshold?: unknown } } | null | undefined)
    ?.routing;
  const threshold = routing?.missThreshold;
  return {
    missThreshold:
      typeof threshold === 'number' && Number.isInteger(threshold) && threshold > 0
        ? threshold
        : DEFAULT_MISS_THRESHOLD,
  };
}

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
 * Phrases that ask for a person, matched on text folded as the intent matcher folds it
 * (`normalizeText`: lower case, accents removed where they are accents, plain apostrophes), with
 * single spaces. Whole words only (`agent`, not `agenda`); a bare "someone"/"une personne"
 * counts only where it asks for one ("talk to someone", not "a table for one person"/"pour une
 * personne"). Other languages reach a human through the liveAgentRequest chip or the miss count.
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
  // Spaces made single so that phrases match however the customer spaced them.
  const folded = normalizeText(text).replace(/\s+/g, ' ');
  return HUMAN_REQUEST.some((pattern) => pattern.test(folded));
}

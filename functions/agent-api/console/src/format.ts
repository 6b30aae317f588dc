import { language, t } from './i18n';
import type { ConversationView, LastMessage } from './types';

/** A wait as a clock: `0:42`, `12:05`, `1:03:20`. */
export function elapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** Why the conversation came to a human, in words; an unknown reason is shown as it is. */
export function handoffReasonWords(reason: string | null | undefined): string {
  if (!reason) return '';
  if (reason === 'asked-for-human') return t('reasonAskedForHuman');
  if (reason === 'live-agent-requested') return t('reasonLiveAgentRequested');
  if (reason === 'out-of-hours') return t('reasonOutOfHours');
  const missed = /^bot-missed-(\d+)$/.exec(reason);
  if (missed) {
    const n = Number(missed[1]);
    return n === 1 ? t('reasonBotMissedOne') : t('reasonBotMissed', { n });
  }
  return reason;
}

export const customerNameOf = (c: Pick<ConversationView, 'customerName'>): string =>
  c.customerName?.trim() || t('customer');

/** One line for the inbox: the customer's last message. */
export function previewOf(last: LastMessage | null | undefined): string {
  if (!last) return '';
  if (last.kind === 'image') return `[${t('photo')}]`;
  const text = (last.text ?? '').replace(/\s+/g, ' ').trim();
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/** `14:05`, or `3 Mar, 14:05` when not today. */
export function timeOf(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const sameDay = at.toDateString() === now.toDateString();
  return new Intl.DateTimeFormat(language(), {
    hour: 'numeric',
    minute: '2-digit',
    ...(sameDay ? {} : { day: 'numeric', month: 'short' }),
  }).format(at);
}

export function fullTimeOf(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime())
    ? iso
    : new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'medium' }).format(at);
}

/** Milliseconds of an ISO time, or undefined. */
export function msOf(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

import { h, type Child } from './dom';
import { fullTimeOf, timeOf } from './format';
import { t, type MessageKey } from './i18n';
import type {
  CardContent,
  ContentInfo,
  DeliveryStatus,
  InboundMessageView,
  MessageView,
  OutboundMessageView,
  RichCard,
  Suggestion,
} from './types';

/** Who is on the other side: names for the lines of the transcript. */
export interface Speakers {
  customer: string;
  /** The agent signed in: their own messages say "You". */
  me: string;
}

/** Only http(s) URLs become links or images: never `javascript:` or other schemes. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** The element of one message of the log, or null for what agents need not see (typing). */
export function messageElement(m: MessageView, who: Speakers): HTMLElement | null {
  const el = m.direction === 'inbound' ? inbound(m, who) : outbound(m, who);
  if (el) el.dataset.key = m.key;
  return el;
}

function stamp(at: string): HTMLTimeElement {
  return h('time', { datetime: at, title: fullTimeOf(at), text: timeOf(at) });
}

function systemLine(text: string, at: string, extra = ''): HTMLElement {
  return h('p', { class: `sys ${extra}`.trim() }, [h('span', { text }), ' · ', stamp(at)]);
}

function bubbleBlock(
  kind: string,
  name: string,
  at: string,
  body: Child[],
  after: Child[] = [],
  rich = false,
) {
  return h('div', { class: `msg msg--${kind}${rich ? ' msg--rich' : ''}` }, [
    h('p', { class: 'msg__meta' }, [h('span', { class: 'msg__who', text: name }), ' ', stamp(at)]),
    h('div', { class: rich ? 'bubble bubble--rich' : 'bubble' }, body),
    ...after,
  ]);
}

function inbound(m: InboundMessageView, who: Speakers): HTMLElement | null {
  switch (m.kind) {
    case 'text':
      return bubbleBlock('customer', who.customer, m.at, [paragraphs(m.text ?? '')]);
    case 'image':
      return bubbleBlock('customer', who.customer, m.at, [
        image({ fileUrl: m.imageUrl ?? '', altText: t('photoFrom', { name: who.customer }) }, true),
      ]);
    case 'suggestion':
      return bubbleBlock('customer', who.customer, m.at, [
        h('span', { class: 'tapped', text: t('tapped', { text: m.text ?? m.postbackData ?? '' }) }),
      ]);
    case 'liveAgentRequest':
      return systemLine(t('askedForPerson', { name: who.customer }), m.at, 'sys--customer');
    case 'authentication':
      return systemLine(t('authentication', { text: m.text ?? '' }), m.at, 'sys--customer');
    case 'survey':
      return systemLine(t('surveyAnswer', { text: m.text ?? '' }), m.at, 'sys--customer');
    case 'typing':
    case 'receipts':
      return null;
    default:
      return m.text
        ? bubbleBlock('customer', who.customer, m.at, [paragraphs(m.text)])
        : systemLine(t('otherEvent', { kind: m.kind }), m.at);
  }
}

function outbound(m: OutboundMessageView, who: Speakers): HTMLElement | null {
  if (m.kind === 'event' || m.eventType) {
    const name = m.representativeName || (m.representativeType === 'BOT' ? t('bot') : t('someone'));
    if (m.eventType === 'REPRESENTATIVE_JOINED') return systemLine(t('joined', { name }), m.at);
    if (m.eventType === 'REPRESENTATIVE_LEFT') return systemLine(t('left', { name }), m.at);
    return null; // typing and other events: not part of the story
  }
  if (m.kind === 'survey') return systemLine(t('surveySent'), m.at);
  if (m.queueNotice) {
    return h('div', { class: 'note' }, [
      h('p', { class: 'note__label' }, [h('span', { text: t('queueNotice') }), ' · ', stamp(m.at)]),
      m.text ? paragraphs(m.text) : null,
    ]);
  }
  const human = m.representativeType === 'HUMAN';
  const name = human
    ? m.representativeName && m.representativeName !== who.me
      ? m.representativeName
      : t('you')
    : m.representativeName || t('bot');
  const body: Child[] = [];
  if (m.richCard) body.push(richCard(m.richCard));
  else if (m.text) body.push(paragraphs(m.text, true));
  if (m.image) body.push(image(m.image.contentInfo, false));
  if (body.length === 0) body.push(h('span', { class: 'muted', text: '…' }));
  const after: Child[] = [];
  if (m.suggestions?.length) after.push(chips(m.suggestions));
  if (human) after.push(statusMarks(m.pending ? 'SENDING' : m.status));
  return bubbleBlock(human ? 'agent' : 'bot', name, m.at, body, after, m.richCard !== undefined);
}

const STATUS_WORDS: Record<DeliveryStatus | 'SENDING', MessageKey> = {
  SENDING: 'statusSending',
  SENT: 'statusSent',
  DELIVERED: 'statusDelivered',
  READ: 'statusRead',
  FAILED: 'statusFailed',
  EXPIRED: 'statusExpired',
};
const STATUS_MARKS: Record<DeliveryStatus | 'SENDING', string> = {
  SENDING: '◷',
  SENT: '✓',
  DELIVERED: '✓✓',
  READ: '✓✓',
  FAILED: '!',
  EXPIRED: '!',
};

/** ✓ sent, ✓✓ delivered, ✓✓ in colour read; the word for screen readers and on hover. */
export function statusMarks(status: DeliveryStatus | 'SENDING'): HTMLElement {
  const word = t(STATUS_WORDS[status] ?? 'statusSent');
  return h('p', { class: `marks marks--${status.toLowerCase()}`, title: word }, [
    h('span', { 'aria-hidden': 'true', text: STATUS_MARKS[status] ?? '✓' }),
    ' ',
    h('span', { class: status === 'FAILED' || status === 'EXPIRED' ? '' : 'sr-only', text: word }),
  ]);
}

/** Text with its line breaks, and (for our messages) Business Messages' **bold** and *italic*. */
function paragraphs(text: string, rich = false): HTMLElement {
  const p = h('p', { class: 'text' });
  text.split('\n').forEach((line, i) => {
    if (i > 0) p.append(h('br'));
    if (rich) p.append(...richText(line));
    else p.append(line);
  });
  return p;
}

function richText(line: string): (Node | string)[] {
  const out: (Node | string)[] = [];
  const pattern = /\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*/g;
  let last = 0;
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
    if (match.index > last) out.push(line.slice(last, match.index));
    out.push(
      match[1] !== undefined ? h('strong', { text: match[1] }) : h('em', { text: match[2] ?? '' }),
    );
    last = match.index + match[0].length;
  }
  if (last < line.length) out.push(line.slice(last));
  return out;
}

function image(info: ContentInfo, asLink: boolean): HTMLElement {
  const url = safeUrl(info.fileUrl);
  const alt = info.altText ?? '';
  const placeholder = () =>
    h('span', { class: 'img-missing', role: 'img', 'aria-label': alt || t('imageUnavailable') }, [
      h('span', { class: 'img-missing__icon', 'aria-hidden': 'true' }),
      h('span', { 'aria-hidden': 'true', text: alt || t('imageUnavailable') }),
    ]);
  if (!url) return placeholder();
  const img = h('img', { src: url, alt, loading: 'lazy', decoding: 'async' });
  const wrapper = asLink
    ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'img-link' }, [img])
    : h('span', { class: 'img-frame' }, [img]);
  img.addEventListener('error', () => wrapper.replaceWith(placeholder()), { once: true });
  return wrapper;
}

function richCard(card: RichCard): HTMLElement {
  if (card.carouselCard) {
    const contents = card.carouselCard.cardContents ?? [];
    const width = card.carouselCard.cardWidth === 'SMALL' ? 'small' : 'medium';
    return h(
      'div',
      {
        class: 'carousel',
        role: 'group',
        tabindex: 0,
        'aria-label': t('carousel', { count: contents.length }),
      },
      contents.map((c) => cardElement(c, width)),
    );
  }
  if (card.standaloneCard) return cardElement(card.standaloneCard.cardContent, 'standalone');
  return h('span', { class: 'muted', text: '…' });
}

function cardElement(content: CardContent, width: string): HTMLElement {
  return h('div', { class: `card card--${width}` }, [
    content.media ? image(content.media.contentInfo, false) : null,
    h('div', { class: 'card__body' }, [
      content.title ? h('p', { class: 'card__title', text: content.title }) : null,
      content.description ? h('p', { class: 'card__desc', text: content.description }) : null,
      content.suggestions?.length ? chips(content.suggestions) : null,
    ]),
  ]);
}

/** A suggestion chip's label as the customer saw it. */
export function chipLabel(s: Suggestion): { label: string; hint?: string } {
  if (s.reply) return { label: s.reply.text };
  if (s.action) {
    const target = s.action.openUrlAction?.url ?? s.action.dialAction?.phoneNumber;
    return target ? { label: s.action.text, hint: target } : { label: s.action.text };
  }
  if (s.liveAgentRequest) return { label: t('talkToPerson') };
  return { label: t('chipSignIn') };
}

function chips(suggestions: readonly Suggestion[]): HTMLElement {
  return h(
    'ul',
    { class: 'chips', 'aria-label': t('suggestions') },
    suggestions.map((s) => {
      const { label, hint } = chipLabel(s);
      const icon = s.action?.dialAction ? '☎ ' : s.action?.openUrlAction ? '↗ ' : '';
      return h('li', { class: 'chip', title: hint ? t('opens', { target: hint }) : null }, [
        icon ? h('span', { 'aria-hidden': 'true', text: icon }) : null,
        label,
      ]);
    }),
  );
}

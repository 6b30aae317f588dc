import type { Composer } from './composer';
import { h, setAttrs, setText, uid } from './dom';
import { customerNameOf, elapsed, handoffReasonWords, msOf } from './format';
import { hasKey, t } from './i18n';
import { messageElement, type Speakers } from './transcript';
import type { AgentView, ConversationView, MessageView } from './types';

export interface PaneModel {
  conversation: ConversationView | null;
  me: AgentView;
  brandName: string;
  /** A place's name for the conversation's language, when the brand's places are known. */
  placeName(placeId: string): string | undefined;
  typing: boolean;
  /** "Taken by Sam", when another agent got it first. */
  notice: string | null;
  claiming: boolean;
  busy: boolean;
}

export interface PaneActions {
  claim(): void;
  release(): void;
  close(): void;
}

interface Rendered {
  el: HTMLElement;
  signature: string;
}

/** The open conversation: who and why, its context, the transcript, and the composer. */
export class Pane {
  readonly root: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly meta: HTMLParagraphElement;
  private readonly stateText: HTMLSpanElement;
  private readonly claimButton: HTMLButtonElement;
  private readonly releaseButton: HTMLButtonElement;
  private readonly closeButton: HTMLButtonElement;
  private readonly notice: HTMLParagraphElement;
  private readonly context: HTMLDListElement;
  private readonly log: HTMLDivElement;
  private readonly typing: HTMLParagraphElement;
  private readonly empty: HTMLParagraphElement;
  private readonly body: HTMLDivElement;
  private readonly rendered = new Map<string, Rendered>();
  private model: PaneModel | undefined;
  private since: number | undefined;
  private pinned = true;

  constructor(
    actions: PaneActions,
    private readonly composer: Composer,
  ) {
    this.title = h('h2', { class: 'pane__title', id: uid('pane-title') });
    this.stateText = h('span', { class: 'pane__state' });
    this.meta = h('p', { class: 'pane__meta' });
    this.claimButton = h('button', {
      type: 'button',
      class: 'btn btn--primary',
      'aria-label': 'Claim',
    });
    this.releaseButton = h('button', {
      type: 'button',
      class: 'btn',
      'aria-label': 'Release to bot',
    });
    this.closeButton = h('button', {
      type: 'button',
      class: 'btn btn--danger',
      'aria-label': 'Close conversation',
    });
    this.claimButton.addEventListener('click', () => actions.claim());
    this.releaseButton.addEventListener('click', () => actions.release());
    this.closeButton.addEventListener('click', () => actions.close());
    this.notice = h('p', { class: 'pane__notice', hidden: true });
    this.context = h('dl', { class: 'context' });
    this.log = h('div', {
      class: 'log',
      role: 'log',
      'aria-label': 'Transcript',
      tabindex: 0,
    });
    this.typing = h('p', { class: 'typing', 'aria-live': 'polite' });
    this.empty = h('p', { class: 'pane__empty' });
    this.body = h('div', { class: 'pane__body' }, [
      h('header', { class: 'pane__head' }, [
        h('div', { class: 'pane__who' }, [this.title, this.meta]),
        h('div', { class: 'pane__actions' }, [
          this.claimButton,
          this.releaseButton,
          this.closeButton,
        ]),
      ]),
      this.notice,
      this.context,
      this.log,
      this.typing,
      composer.root,
    ]);
    this.root = h('section', { class: 'pane', 'aria-labelledby': this.title.id }, [
      this.empty,
      this.body,
    ]);
    // At the end of the log, stay there when the log gets shorter (an alert, the composer
    // growing, a narrower window) or longer.
    this.log.addEventListener('scroll', () => {
      this.pinned = this.nearBottom();
    });
    new ResizeObserver(() => {
      if (this.pinned) this.scrollToEnd();
    }).observe(this.log);
  }

  render(model: PaneModel, now: number): void {
    this.model = model;
    const c = model.conversation;
    this.body.hidden = c === null;
    this.empty.hidden = c !== null;
    setText(this.empty, t('selectConversation'));
    if (!c) {
      setText(this.title, '');
      this.rendered.clear();
      this.log.replaceChildren();
      return;
    }
    const customer = customerNameOf(c);
    setText(this.title, customer);
    const mine = c.state === 'with_agent' && c.assignee?.agentId === model.me.agentId;
    const reason = handoffReasonWords(c.handoffReason);
    this.since = c.state === 'queued' ? msOf(c.queuedAt) : undefined;
    this.meta.replaceChildren(
      [model.brandName, c.locale].filter(Boolean).join(' · '),
      ' · ',
      this.stateText,
      reason ? ` · ${reason}` : '',
    );
    this.fillState(now);
    this.claimButton.hidden = c.state !== 'queued' || model.notice !== null;
    this.claimButton.disabled = model.claiming;
    setText(this.claimButton, model.claiming ? t('claiming') : t('claim'));
    this.releaseButton.hidden = !mine;
    this.closeButton.hidden = !mine;
    this.releaseButton.disabled = model.busy;
    this.closeButton.disabled = model.busy;
    setText(this.releaseButton, t('release'));
    setText(this.closeButton, t('close'));
    this.notice.hidden = model.notice === null;
    setText(this.notice, model.notice ?? '');
    this.renderContext(c, model);
    this.composer.root.hidden = !mine;
    setText(this.typing, model.typing ? t('isTyping', { name: customer }) : '');
    this.typing.classList.toggle('typing--on', model.typing);
  }

  tick(now: number): void {
    this.fillState(now);
  }

  private fillState(now: number): void {
    const c = this.model?.conversation;
    if (!c || !this.model) return;
    let text: string;
    if (c.state === 'queued') {
      text =
        this.since !== undefined ? `${t('inQueue')} ${elapsed(now - this.since)}` : t('inQueue');
    } else if (c.state === 'with_agent') {
      text =
        c.assignee?.agentId === this.model.me.agentId
          ? t('withYou')
          : t('heldBy', { name: c.assignee?.displayName ?? t('someone') });
    } else {
      text = c.state === 'bot' ? t('withBot') : t('closedState');
    }
    setText(this.stateText, text);
  }

  private renderContext(c: ConversationView, model: PaneModel): void {
    const o = c.origin ?? {};
    const place = (id: string | undefined) => {
      const name = id ? model.placeName(id) : undefined;
      return name ? `${name} (${id})` : id;
    };
    const entry = o.entryPoint
      ? hasKey(`entry${o.entryPoint}`)
        ? `${t(`entry${o.entryPoint}` as Parameters<typeof t>[0])} (${o.entryPoint})`
        : o.entryPoint
      : undefined;
    const pairs: [string, string | undefined][] = [
      [t('entryPoint'), entry],
      [t('place'), place(o.placeId)],
      [t('nearPlace'), place(o.nearPlaceId)],
      [t('resolvedLocale'), o.resolvedLocale],
      [t('deviceLocale'), o.userDeviceLocale],
      [t('widget'), o.widgetUrl],
    ];
    const shown = pairs.filter((p): p is [string, string] => Boolean(p[1]));
    this.context.hidden = shown.length === 0;
    setAttrs(this.context, { 'aria-label': t('context') });
    this.context.replaceChildren(
      ...shown.map(([k, v]) => h('div', {}, [h('dt', { text: k }), h('dd', { text: v })])),
    );
  }

  /** The whole log, oldest first; unchanged messages keep their elements. */
  setMessages(messages: readonly MessageView[], who: Speakers): void {
    const stick = this.pinned || this.nearBottom();
    const seen = new Set<string>();
    const els: HTMLElement[] = [];
    for (const m of messages) {
      if (seen.has(m.key)) continue;
      seen.add(m.key);
      const signature = JSON.stringify(m) + who.customer;
      const old = this.rendered.get(m.key);
      if (old && old.signature === signature) {
        els.push(old.el);
        continue;
      }
      const el = messageElement(m, who);
      if (!el) continue;
      this.rendered.set(m.key, { el, signature });
      els.push(el);
    }
    for (const key of this.rendered.keys()) if (!seen.has(key)) this.rendered.delete(key);
    els.forEach((el, i) => {
      if (this.log.children[i] !== el) this.log.insertBefore(el, this.log.children[i] ?? null);
    });
    while (this.log.children.length > els.length) this.log.lastElementChild?.remove();
    if (stick) this.scrollToEnd();
  }

  /** Re-render every message (the language changed). */
  relabelMessages(messages: readonly MessageView[], who: Speakers): void {
    this.rendered.clear();
    this.log.replaceChildren();
    this.setMessages(messages, who);
    this.scrollToEnd();
  }

  /** Another conversation opens: empty the log until its messages arrive. */
  reset(): void {
    this.rendered.clear();
    this.log.replaceChildren();
    this.pinned = true;
  }

  setLoading(loading: boolean): void {
    setAttrs(this.log, { 'aria-busy': loading ? 'true' : null });
    this.log.classList.toggle('log--loading', loading);
  }

  focusLog(): void {
    this.log.focus();
  }

  scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
    this.pinned = true;
  }

  private nearBottom(): boolean {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }
}

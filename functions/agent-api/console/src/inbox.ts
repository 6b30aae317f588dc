import { h, setAttrs, setText, uid } from './dom';
import { customerNameOf, elapsed, handoffReasonWords, msOf, previewOf } from './format';
import { t } from './i18n';
import type { ConversationView } from './types';

export type Tab = 'queue' | 'mine';

export interface InboxModel {
  tab: Tab;
  queue: ConversationView[];
  mine: ConversationView[];
  openId: string | null;
  unread: ReadonlyMap<string, number>;
  claiming: ReadonlySet<string>;
  brandName(brandId: string): string;
}

export interface InboxActions {
  selectTab(tab: Tab): void;
  open(id: string): void;
  claim(id: string): void;
}

interface Row {
  li: HTMLLIElement;
  open: HTMLButtonElement;
  name: HTMLSpanElement;
  wait: HTMLSpanElement;
  meta: HTMLSpanElement;
  reason: HTMLSpanElement;
  preview: HTMLSpanElement;
  badge: HTMLSpanElement;
  claim: HTMLButtonElement;
  since: number | undefined;
  waitKey: 'waiting' | 'lastWrote';
}

/**
 * The Queue and Mine tabs and the list of conversations, oldest first. Rows are kept by
 * conversation ID across renders, so focus stays where the agent left it while the list moves.
 */
export class Inbox {
  readonly root: HTMLElement;
  private readonly tabs: Record<
    Tab,
    {
      button: HTMLButtonElement;
      label: HTMLSpanElement;
      count: HTMLSpanElement;
      said: HTMLSpanElement;
    }
  >;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLParagraphElement;
  private readonly panel: HTMLDivElement;
  private readonly rows = new Map<string, Row>();

  constructor(private readonly actions: InboxActions) {
    const panelId = uid('inbox-panel');
    const makeTab = (tab: Tab) => {
      const label = h('span', { class: 'tab__label' });
      // The count is drawn by CSS from data-count, so the visible text of the tab stays its
      // name ("Queue"); screen readers hear it as the tab's description.
      const count = h('span', { class: 'tab__count', 'aria-hidden': 'true' });
      const said = h('span', { class: 'sr-only', id: uid('tab-count') });
      const button = h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: uid(`tab-${tab}`),
          class: 'tab',
          'aria-controls': panelId,
          'aria-label': tab === 'queue' ? 'Queue' : 'Mine',
          'aria-describedby': said.id,
        },
        [label, count, said],
      );
      button.addEventListener('click', () => actions.selectTab(tab));
      button.addEventListener('keydown', (e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End')
          return;
        e.preventDefault();
        const next: Tab = tab === 'queue' ? 'mine' : 'queue';
        const target: Tab = e.key === 'Home' ? 'queue' : e.key === 'End' ? 'mine' : next;
        actions.selectTab(target);
        this.tabs[target].button.focus();
      });
      return { button, label, count, said };
    };
    this.tabs = { queue: makeTab('queue'), mine: makeTab('mine') };
    this.list = h('ul', { class: 'rows', 'aria-label': 'Conversations' });
    this.empty = h('p', { class: 'empty' });
    this.panel = h('div', { class: 'inbox__panel', role: 'tabpanel', id: panelId }, [
      this.list,
      this.empty,
    ]);
    this.root = h('nav', { class: 'inbox', 'aria-label': 'Inbox' }, [
      h('div', { class: 'tabs', role: 'tablist' }, [this.tabs.queue.button, this.tabs.mine.button]),
      this.panel,
    ]);
  }

  render(model: InboxModel, now: number): void {
    for (const tab of ['queue', 'mine'] as const) {
      const { button, label, count, said } = this.tabs[tab];
      const selected = model.tab === tab;
      setText(label, t(tab));
      setAttrs(count, { 'data-count': model[tab].length });
      setText(said, t('conversationsIn', { count: model[tab].length }));
      setAttrs(button, {
        'aria-selected': selected ? 'true' : 'false',
        tabindex: selected ? 0 : -1,
      });
    }
    setAttrs(this.panel, { 'aria-labelledby': this.tabs[model.tab].button.id });
    const items = model[model.tab];
    const keep = new Set(items.map((c) => c.id));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.li.remove();
        this.rows.delete(id);
      }
    }
    items.forEach((c, i) => {
      const row = this.rows.get(c.id) ?? this.createRow(c.id);
      this.fill(row, c, model, now);
      if (this.list.children[i] !== row.li)
        this.list.insertBefore(row.li, this.list.children[i] ?? null);
    });
    this.empty.hidden = items.length > 0;
    setText(this.empty, model.tab === 'queue' ? t('emptyQueue') : t('emptyMine'));
  }

  /** The wait times, every second. */
  tick(now: number): void {
    for (const row of this.rows.values()) this.fillWait(row, now);
  }

  /** Focus the row of a conversation (j/k). */
  focusRow(id: string): void {
    this.rows.get(id)?.open.focus();
  }

  focusTab(tab: Tab): void {
    this.tabs[tab].button.focus();
  }

  private createRow(id: string): Row {
    const name = h('span', { class: 'row__name', id: uid('row-name') });
    const wait = h('span', { class: 'row__wait' });
    const meta = h('span', { class: 'row__meta' });
    const reason = h('span', { class: 'row__reason' });
    const preview = h('span', { class: 'row__preview' });
    const badge = h('span', { class: 'badge' });
    const open = h('button', { type: 'button', class: 'row__open' }, [
      h('span', { class: 'row__top' }, [name, wait]),
      meta,
      reason,
      h('span', { class: 'row__bottom' }, [preview, badge]),
    ]);
    open.addEventListener('click', () => this.actions.open(id));
    const claim = h('button', {
      type: 'button',
      class: 'btn btn--primary row__claim',
      'aria-label': 'Claim',
      'aria-describedby': name.id,
    });
    claim.addEventListener('click', () => this.actions.claim(id));
    const li = h('li', { class: 'row' }, [open, claim]);
    const row: Row = {
      li,
      open,
      name,
      wait,
      meta,
      reason,
      preview,
      badge,
      claim,
      since: undefined,
      waitKey: 'waiting',
    };
    this.rows.set(id, row);
    return row;
  }

  private fill(row: Row, c: ConversationView, model: InboxModel, now: number): void {
    const customer = customerNameOf(c);
    const brand = model.brandName(c.brandId);
    const unread = model.unread.get(c.id) ?? 0;
    const queued = c.state === 'queued';
    setText(row.name, customer);
    setText(row.meta, [brand, c.locale ?? ''].filter(Boolean).join(' · '));
    setText(row.reason, handoffReasonWords(c.handoffReason));
    row.reason.hidden = !c.handoffReason;
    setText(row.preview, previewOf(c.lastMessage));
    setText(row.badge, unread > 0 ? String(unread) : '');
    row.badge.hidden = unread === 0;
    setAttrs(row.badge, { title: unread > 0 ? t('unread', { count: unread }) : null });
    row.since = queued ? msOf(c.queuedAt) : (msOf(c.lastUserMessageAt) ?? msOf(c.stateChangedAt));
    row.waitKey = queued ? 'waiting' : 'lastWrote';
    this.fillWait(row, now);
    const current = model.openId === c.id;
    row.li.classList.toggle('row--current', current);
    row.li.classList.toggle('row--unread', unread > 0);
    setAttrs(row.li, { 'aria-label': `${customer}, ${brand}` });
    setAttrs(row.open, { 'aria-current': current ? 'true' : null });
    row.claim.hidden = !queued;
    const claiming = model.claiming.has(c.id);
    row.claim.disabled = claiming;
    setText(row.claim, claiming ? t('claiming') : t('claim'));
  }

  private fillWait(row: Row, now: number): void {
    if (row.since === undefined) {
      setText(row.wait, '');
      return;
    }
    const time = elapsed(now - row.since);
    setText(row.wait, time);
    setAttrs(row.wait, { title: t(row.waitKey, { time }) });
  }
}

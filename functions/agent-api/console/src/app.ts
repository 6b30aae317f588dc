import { Api, ApiError } from './api';
import { Composer } from './composer';
import { CloseDialog, HelpDialog } from './dialogs';
import { h, setAttrs, setText } from './dom';
import { errorWords } from './errors';
import { customerNameOf, msOf } from './format';
import {
  isLanguage,
  LANGUAGES,
  language,
  languageFor,
  setLanguage,
  t,
  type Language,
} from './i18n';
import { Inbox, type Tab } from './inbox';
import { LiveFeed, type LiveState } from './live';
import { Pane } from './pane';
import { installShortcuts } from './shortcuts';
import { SignInForm } from './sign-in';
import type { Speakers } from './transcript';
import { TypingSignal } from './typing';
import type {
  BrandView,
  ConversationView,
  CustomerMessageEvent,
  CustomerTypingEvent,
  MessageView,
  SessionView,
} from './types';

const DRAFT_KEY = 'bm-console:draft:';
const LANGUAGE_KEY = 'bm-console:language';
/** The tab and the open conversation, so a reload comes back to them. */
const VIEW_KEY = 'bm-console:view';
/** How long a customer's "typing" shows without news (they may have closed the app). */
const TYPING_SHOWN_MS = 20_000;
/** While our messages await their read receipt, the open transcript is refreshed this often. */
const RECEIPTS_REFRESH_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fresh client message ID, made when Send is pressed and reused by its retries. */
function newClientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

/**
 * The agent console: signs in, keeps the inbox live over `/events`, and works the open
 * conversation. All state is in memory (drafts also in sessionStorage, never a token), so an
 * expired session signs in again over the page without losing anything.
 */
export class App {
  private readonly api: Api;
  private session: SessionView | null = null;
  private readonly conversations = new Map<string, ConversationView>();
  private tab: Tab = 'queue';
  private openId: string | null = null;
  /** The open conversation, also when it left the lists (taken by another, back to the bot). */
  private open: ConversationView | null = null;
  private messages: MessageView[] = [];
  private readonly unread = new Map<string, number>();
  private readonly typingUntil = new Map<string, number>();
  /** Conversation → the agent who took it first. */
  private readonly takenBy = new Map<string, string>();
  private readonly claiming = new Set<string>();
  private busy = false;
  private readonly sendIds = new Map<string, { text: string; id: string }>();
  /** Drafts by conversation (also in sessionStorage, for a reload). */
  private readonly drafts = new Map<string, string>();
  private live: LiveFeed | null = null;
  private liveState: LiveState = 'connecting';
  private snapshotReady = false;
  private loadSeq = 0;
  private lastFetch = 0;
  private refetchTimer: number | undefined;
  private typing: { id: string; signal: TypingSignal } | null = null;
  private reauth: { promise: Promise<void>; resolve: () => void } | null = null;
  private started = false;
  private toastTimer: number | undefined;

  // Views
  private readonly languageSelect: HTMLSelectElement;
  private readonly signIn: SignInForm;
  private readonly signInDialog: HTMLDialogElement;
  private readonly status: HTMLParagraphElement;
  private readonly statusText: HTMLSpanElement;
  private readonly agentName: HTMLSpanElement;
  private readonly heading: HTMLHeadingElement;
  private readonly helpButton: HTMLButtonElement;
  private readonly signOutButton: HTMLButtonElement;
  private readonly alert: HTMLDivElement;
  private readonly toast: HTMLParagraphElement;
  private readonly inbox: Inbox;
  private readonly composer: Composer;
  private readonly pane: Pane;
  private readonly help = new HelpDialog();
  private readonly closeDialog = new CloseDialog();
  private readonly shell: HTMLDivElement;
  private readonly topEnd: HTMLDivElement;

  constructor(private readonly root: HTMLElement) {
    this.api = new Api({
      base: new URL('../', location.href),
      reauthenticate: () => this.reauthenticate(),
    });
    this.languageSelect = h(
      'select',
      { class: 'lang', 'aria-label': 'Language' },
      Object.entries(LANGUAGES).map(([value, name]) =>
        h('option', { value, lang: value, text: name }),
      ),
    );
    this.languageSelect.addEventListener('change', () => {
      if (isLanguage(this.languageSelect.value)) this.switchLanguage(this.languageSelect.value);
    });
    this.signIn = new SignInForm(this.api, (session) => this.signedIn(session));
    this.signInDialog = h('dialog', { class: 'dialog dialog--signin' });
    // Escape cannot dismiss the sign-in: the session is gone until the agent signs in again.
    this.signInDialog.addEventListener('cancel', (e) => e.preventDefault());

    this.statusText = h('span');
    this.status = h('p', { class: 'status', role: 'status' }, [
      h('span', { class: 'status__dot', 'aria-hidden': 'true' }),
      this.statusText,
    ]);
    this.agentName = h('span', { class: 'agent' });
    this.heading = h('h1', { class: 'brand' });
    this.helpButton = h('button', { type: 'button', class: 'btn btn--ghost', text: '?' });
    this.helpButton.addEventListener('click', () => this.help.open());
    this.signOutButton = h('button', { type: 'button', class: 'btn btn--ghost' });
    this.signOutButton.addEventListener('click', () => void this.signOut());
    this.alert = h('div', { class: 'alert', role: 'alert' });
    this.toast = h('p', { class: 'toast', 'aria-live': 'polite' });

    this.inbox = new Inbox({
      selectTab: (tab) => {
        this.tab = tab;
        this.render();
      },
      open: (id) => this.openConversation(id),
      claim: (id) => void this.claim(id),
    });
    this.composer = new Composer({
      send: (text) => this.send(text),
      changed: (text) => this.draftChanged(text),
      canned: () => {
        const brand = this.open ? this.brand(this.open.brandId) : undefined;
        return {
          responses: brand?.cannedResponses ?? [],
          locale: this.open?.locale ?? null,
          defaultLocale: brand?.defaultLocale ?? null,
        };
      },
      leave: () => this.pane.focusLog(),
    });
    this.pane = new Pane(
      {
        claim: () => {
          if (this.openId) void this.claim(this.openId);
        },
        release: () => void this.release(),
        close: () => this.askClose(),
      },
      this.composer,
    );
    this.topEnd = h('div', { class: 'top__end' }, [
      this.agentName,
      this.languageSelect,
      this.helpButton,
      this.signOutButton,
    ]);
    this.shell = h('div', { class: 'shell' }, [
      h('header', { class: 'top' }, [this.heading, this.status, this.topEnd]),
      this.alert,
      this.toast,
      h('main', { class: 'main' }, [this.inbox.root, this.pane.root]),
    ]);

    const stored = this.readLanguage();
    setLanguage(
      stored ??
        languageFor(navigator.languages?.length ? navigator.languages : [navigator.language]),
    );
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.openId) {
        this.unread.delete(this.openId);
        this.renderTitle();
        this.scheduleRefetch(200);
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // Start, sign-in, sign-out

  async boot(): Promise<void> {
    this.relabel();
    let session: SessionView | null;
    try {
      session = await this.api.session();
    } catch (error) {
      this.showFatal(errorWords(error));
      return;
    }
    if (session) this.start(session);
    else this.showSignInPage();
  }

  private showFatal(text: string): void {
    const retry = h('button', { type: 'button', class: 'btn btn--primary', text: t('reload') });
    retry.addEventListener('click', () => location.reload());
    this.root.replaceChildren(
      h('main', { class: 'signin-page' }, [
        h('div', { class: 'signin' }, [
          h('h1', { class: 'signin__title', text: t('appTitle') }),
          h('p', { class: 'form-error', role: 'alert', text }),
          retry,
        ]),
      ]),
    );
  }

  private showSignInPage(): void {
    this.signIn.setMode('page');
    this.root.replaceChildren(
      h('main', { class: 'signin-page' }, [
        h('div', { class: 'signin-page__lang' }, [this.languageSelect]),
        this.signIn.root,
      ]),
    );
    this.signIn.focus();
  }

  private signedIn(session: SessionView): void {
    if (!this.started) {
      this.start(session);
      const pending = this.reauth;
      this.reauth = null;
      pending?.resolve();
      return;
    }
    if (this.reauth) {
      if (this.session && session.agent.agentId !== this.session.agent.agentId) {
        // Someone else signed in: nothing of the previous agent's page may stay.
        location.reload();
        return;
      }
      this.session = session;
      this.signInDialog.close();
      this.shell.inert = false;
      const { resolve } = this.reauth;
      this.reauth = null;
      this.render();
      resolve();
      return;
    }
    this.session = session;
    this.render();
  }

  /** A 401: sign in again over the page (the draft and everything else stay). */
  private reauthenticate(): Promise<void> {
    if (this.reauth) return this.reauth.promise;
    let resolve: () => void = () => undefined;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.reauth = { promise, resolve };
    if (!this.started) {
      this.showSignInPage();
      return promise;
    }
    this.signIn.setMode(this.session?.auth === 'iap' ? 'iap' : 'expired');
    this.signInDialog.replaceChildren(this.signIn.root);
    if (!this.signInDialog.isConnected) this.root.append(this.signInDialog);
    for (const d of [this.help.root, this.closeDialog.root]) if (d.open) d.close();
    this.shell.inert = true;
    if (!this.signInDialog.open) this.signInDialog.showModal();
    this.signIn.focus();
    return promise;
  }

  private async signOut(): Promise<void> {
    this.stopTyping();
    const store = storage();
    if (store) {
      for (const key of Object.keys(store)) if (key.startsWith(DRAFT_KEY)) store.removeItem(key);
    }
    this.live?.stop();
    if (this.session?.auth === 'iap') {
      location.assign('/_gcp_iap/clear_login_cookie');
      return;
    }
    try {
      await this.api.signOut();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        this.showAlert(errorWords(error));
        this.live?.start();
        return;
      }
    }
    location.reload();
  }

  private start(session: SessionView): void {
    this.session = session;
    const view = this.savedView();
    this.tab = view.tab;
    this.started = true;
    // The language switch was on the sign-in page: back to the header.
    this.agentName.after(this.languageSelect);
    this.root.replaceChildren(this.shell, this.help.root, this.closeDialog.root, this.signInDialog);
    this.relabel();
    this.live = new LiveFeed(this.api.url('/events'), {
      state: (state) => {
        this.liveState = state;
        this.renderStatus();
      },
      updated: (c) => {
        this.upsert(c);
        this.render();
        if (c.id === this.openId) this.scheduleRefetch(400);
      },
      removed: (id) => this.removed(id),
      message: (e) => this.customerMessage(e),
      typing: (e) => this.customerTyping(e),
      ready: (ids) => this.snapshot(ids),
      closed: () => this.feedClosed(),
    });
    this.live.start();
    void this.loadLists();
    if (view.openId) this.openConversation(view.openId, true);
    installShortcuts(document, {
      next: () => this.move(1),
      previous: () => this.move(-1),
      claim: () => this.claimShortcut(),
      close: () => this.askClose(),
      canned: () => {
        if (this.isMine(this.open)) this.composer.startCanned();
      },
      help: () => this.help.open(),
    });
    window.setInterval(() => this.tick(), 1000);
  }

  /** The tab and open conversation before a reload of the page. */
  private savedView(): { tab: Tab; openId: string | null } {
    let view: { tab?: unknown; openId?: unknown } = {};
    try {
      view = JSON.parse(storage()?.getItem(VIEW_KEY) ?? '{}') as typeof view;
    } catch {
      view = {};
    }
    return {
      tab: view.tab === 'mine' ? 'mine' : 'queue',
      openId: typeof view.openId === 'string' ? view.openId : null,
    };
  }

  private saveView(): void {
    try {
      storage()?.setItem(VIEW_KEY, JSON.stringify({ tab: this.tab, openId: this.openId }));
    } catch {
      // Not kept: a reload starts from the queue.
    }
  }

  private async loadLists(): Promise<void> {
    try {
      const [queued, mine] = await Promise.all([
        this.api.list('state=queued&limit=200'),
        this.api.list('state=with_agent&mine=true&limit=200'),
      ]);
      // Once the stream's snapshot is in, it is the fresher truth.
      if (this.snapshotReady) return;
      for (const c of [...queued, ...mine]) this.upsert(c);
      this.render();
    } catch (error) {
      this.showAlert(errorWords(error));
    }
  }

  // -------------------------------------------------------------------------------------------
  // The live feed

  private async feedClosed(): Promise<void> {
    let session: SessionView | null;
    try {
      session = await this.api.session();
    } catch {
      await sleep(3000);
      return;
    }
    if (session) await sleep(2000);
    else await this.reauthenticate();
  }

  private snapshot(ids: ReadonlySet<string>): void {
    this.snapshotReady = true;
    for (const id of [...this.conversations.keys()]) {
      if (!ids.has(id)) this.conversations.delete(id);
    }
    this.render();
    // Whatever happened while the stream was down is in the log.
    if (this.openId) void this.fetchTranscript(this.openId);
  }

  private upsert(c: ConversationView): void {
    const before = this.conversations.get(c.id);
    if (before && before.version > c.version) return;
    const me = this.session?.agent.agentId;
    if (c.state === 'bot' || c.state === 'closed') this.conversations.delete(c.id);
    else this.conversations.set(c.id, c);
    if (c.id === this.openId) {
      if (c.state === 'with_agent' && c.assignee && c.assignee.agentId !== me) {
        if (this.open?.state === 'queued') this.takenBy.set(c.id, c.assignee.displayName);
      }
      this.open = c;
    }
    if (!this.isListed(c)) this.unread.delete(c.id);
  }

  private removed(id: string): void {
    this.conversations.delete(id);
    this.unread.delete(id);
    if (
      id === this.openId &&
      this.open &&
      this.open.state !== 'bot' &&
      this.open.state !== 'closed'
    ) {
      this.open = { ...this.open, state: 'bot', assignee: null };
      this.stopTyping();
    }
    this.render();
  }

  private customerMessage(e: CustomerMessageEvent): void {
    const c = this.conversations.get(e.conversationId);
    if (c) {
      const updated: ConversationView = {
        ...c,
        lastUserMessageAt: e.at,
        lastMessage: {
          kind: e.messageKind,
          at: e.at,
          ...(e.text !== undefined ? { text: e.text } : {}),
        },
      };
      this.conversations.set(c.id, updated);
      if (c.id === this.openId) this.open = updated;
    }
    this.typingUntil.delete(e.conversationId);
    const looking = e.conversationId === this.openId && document.visibilityState === 'visible';
    if (e.conversationId === this.openId) {
      if (!this.messages.some((m) => m.key === e.key)) {
        this.messages = [
          ...this.messages,
          {
            direction: 'inbound',
            key: e.key,
            kind: e.messageKind,
            at: e.at,
            ...(e.messageId !== undefined ? { messageId: e.messageId } : {}),
            ...(e.text !== undefined ? { text: e.text } : {}),
            ...(e.imageUrl !== undefined ? { imageUrl: e.imageUrl } : {}),
            ...(e.postbackData !== undefined ? { postbackData: e.postbackData } : {}),
          },
        ];
        this.pane.setMessages(this.messages, this.speakers());
      }
      // Reading it marks it read for the customer.
      if (looking) this.scheduleRefetch(800);
    }
    if (!looking && c && this.isListed(c)) {
      this.unread.set(c.id, (this.unread.get(c.id) ?? 0) + 1);
    }
    this.render();
  }

  private customerTyping(e: CustomerTypingEvent): void {
    if (e.isTyping) this.typingUntil.set(e.conversationId, Date.now() + TYPING_SHOWN_MS);
    else this.typingUntil.delete(e.conversationId);
    if (e.conversationId === this.openId) this.renderPane();
  }

  // -------------------------------------------------------------------------------------------
  // The open conversation

  /** Opens a conversation; `quietly` (restoring after a reload): no alert if it is gone. */
  private openConversation(id: string, quietly = false): void {
    if (this.openId !== id) {
      this.stopTyping();
      this.openId = id;
      this.open = this.conversations.get(id) ?? null;
      this.messages = [];
      this.pane.reset();
      this.composer.setDraft(this.drafts.get(id) ?? storage()?.getItem(DRAFT_KEY + id) ?? '');
    }
    this.unread.delete(id);
    this.render();
    void this.fetchTranscript(id, quietly);
  }

  private closePane(): void {
    this.stopTyping();
    this.openId = null;
    this.open = null;
    this.messages = [];
    this.pane.reset();
    this.render();
  }

  private async fetchTranscript(id: string, quietly = false): Promise<void> {
    const seq = ++this.loadSeq;
    window.clearTimeout(this.refetchTimer);
    this.refetchTimer = undefined;
    if (this.messages.length === 0) this.pane.setLoading(true);
    try {
      const detail = await this.api.conversation(id);
      if (seq !== this.loadSeq || id !== this.openId) return;
      this.lastFetch = Date.now();
      this.upsert(detail.conversation);
      this.open = detail.conversation;
      this.messages = this.mergeFetched(detail.messages);
      this.pane.setLoading(false);
      this.pane.setMessages(this.messages, this.speakers());
      this.render();
    } catch (error) {
      if (seq !== this.loadSeq || id !== this.openId) return;
      this.pane.setLoading(false);
      if (error instanceof ApiError && error.status === 404) {
        this.conversations.delete(id);
        this.closePane();
        if (quietly) return;
      }
      this.showAlert(errorWords(error));
    }
  }

  /** The server's log, plus what this page knows and the log does not have yet. */
  private mergeFetched(fetched: MessageView[]): MessageView[] {
    const keys = new Set(fetched.map((m) => m.key));
    const latest = fetched.reduce((max, m) => (m.at > max ? m.at : max), '');
    const recent = Date.now() - 60_000;
    const extra = this.messages.filter(
      (m) =>
        !keys.has(m.key) &&
        (m.direction === 'outbound'
          ? m.pending === true && (msOf(m.at) ?? 0) > recent
          : m.at > latest),
    );
    return [...fetched, ...extra];
  }

  private scheduleRefetch(ms: number): void {
    if (!this.openId) return;
    const id = this.openId;
    window.clearTimeout(this.refetchTimer);
    this.refetchTimer = window.setTimeout(() => void this.fetchTranscript(id), ms);
  }

  private speakers(): Speakers {
    return {
      customer: this.open ? customerNameOf(this.open) : t('customer'),
      me: this.session?.agent.displayName ?? '',
    };
  }

  // -------------------------------------------------------------------------------------------
  // Actions

  private claimShortcut(): void {
    if (this.open?.state === 'queued' && this.openId) {
      void this.claim(this.openId);
      return;
    }
    if (!this.openId && this.tab === 'queue') {
      const first = this.listed('queue')[0];
      if (first) void this.claim(first.id);
    }
  }

  private async claim(id: string): Promise<void> {
    if (this.claiming.has(id)) return;
    this.claiming.add(id);
    this.render();
    try {
      const claimed = await this.api.claim(id);
      this.upsert(claimed);
      this.tab = 'mine';
      this.openConversation(id);
      this.composer.focus();
      // JOINED reaches the log once sent: look again shortly.
      this.scheduleRefetch(2500);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const name = error.heldBy?.displayName ?? t('someone');
        this.showAlert(t('takenBy', { name }));
        this.conversations.delete(id);
        this.unread.delete(id);
        if (id === this.openId) {
          this.takenBy.set(id, name);
          if (this.open && error.heldBy) {
            this.open = { ...this.open, state: 'with_agent', assignee: error.heldBy };
          }
        }
      } else if (error instanceof ApiError && error.status === 404) {
        this.conversations.delete(id);
        if (id === this.openId) this.closePane();
        this.showAlert(errorWords(error));
      } else {
        this.showAlert(errorWords(error));
      }
    } finally {
      this.claiming.delete(id);
      this.render();
    }
  }

  private async send(text: string): Promise<boolean> {
    const id = this.openId;
    if (!id || !this.isMine(this.open)) return false;
    let pending = this.sendIds.get(id);
    if (!pending || pending.text !== text) {
      pending = { text, id: newClientId() };
      this.sendIds.set(id, pending);
    }
    try {
      const { messageId } = await this.api.send(id, text, pending.id);
      this.sendIds.delete(id);
      if ((this.drafts.get(id) ?? text) === text) {
        this.drafts.delete(id);
        storage()?.removeItem(DRAFT_KEY + id);
      }
      if (this.typing?.id === id) this.typing.signal.stop();
      if (id === this.openId) {
        this.messages = [
          ...this.messages.filter((m) => m.key !== messageId),
          {
            direction: 'outbound',
            key: messageId,
            kind: 'message',
            at: new Date().toISOString(),
            status: 'SENT',
            representativeType: 'HUMAN',
            representativeName: this.session?.agent.displayName ?? '',
            text,
            pending: true,
          },
        ];
        this.pane.setMessages(this.messages, this.speakers());
        this.pane.scrollToEnd();
        this.scheduleRefetch(1500);
      }
      return true;
    } catch (error) {
      this.showAlert(errorWords(error));
      return false;
    }
  }

  private async release(): Promise<void> {
    const id = this.openId;
    const c = this.open;
    if (!id || !c || !this.isMine(c) || this.busy) return;
    this.busy = true;
    this.render();
    try {
      this.stopTyping();
      await this.api.release(id);
      this.conversations.delete(id);
      this.drafts.delete(id);
      storage()?.removeItem(DRAFT_KEY + id);
      this.showToast(t('released', { name: customerNameOf(c) }));
      this.afterLeaving();
    } catch (error) {
      this.showAlert(errorWords(error));
    } finally {
      this.busy = false;
      this.render();
    }
  }

  private askClose(): void {
    const id = this.openId;
    const c = this.open;
    if (!id || !c || !this.isMine(c) || this.busy) return;
    this.closeDialog.open(customerNameOf(c), (survey) => void this.close(id, c, survey));
  }

  private async close(id: string, c: ConversationView, survey: boolean): Promise<void> {
    this.busy = true;
    this.render();
    try {
      this.stopTyping();
      await this.api.close(id, survey);
      this.conversations.delete(id);
      this.drafts.delete(id);
      storage()?.removeItem(DRAFT_KEY + id);
      this.showToast(t('closed', { name: customerNameOf(c) }));
      if (id === this.openId) this.afterLeaving();
    } catch (error) {
      this.showAlert(errorWords(error));
    } finally {
      this.busy = false;
      this.render();
    }
  }

  /** After release or close: the pane empties and focus goes back to the list. */
  private afterLeaving(): void {
    this.closePane();
    const next = this.listed(this.tab)[0];
    if (next) this.inbox.focusRow(next.id);
    else this.inbox.focusTab(this.tab);
  }

  /** j/k: the next or previous conversation of the tab, opened and focused. */
  private move(delta: number): void {
    const list = this.listed(this.tab);
    if (list.length === 0) return;
    const at = list.findIndex((c) => c.id === this.openId);
    const index =
      at < 0
        ? delta > 0
          ? 0
          : list.length - 1
        : Math.min(list.length - 1, Math.max(0, at + delta));
    const target = list[index];
    if (!target) return;
    this.openConversation(target.id);
    this.inbox.focusRow(target.id);
  }

  // -------------------------------------------------------------------------------------------
  // Drafts and the agent's typing indicator

  private draftChanged(text: string): void {
    const id = this.openId;
    if (!id) return;
    if (text) this.drafts.set(id, text);
    else this.drafts.delete(id);
    const store = storage();
    try {
      if (text) store?.setItem(DRAFT_KEY + id, text);
      else store?.removeItem(DRAFT_KEY + id);
    } catch {
      // Storage full or refused: the draft stays in the page.
    }
    if (!this.isMine(this.open)) return;
    if (!this.typing || this.typing.id !== id) {
      this.stopTyping();
      const signal = new TypingSignal(
        (isTyping) => {
          this.api.typing(id, isTyping).catch(() => undefined);
        },
        {
          setTimeout: (fn, ms) => window.setTimeout(fn, ms),
          clearTimeout: (h) => window.clearTimeout(h),
        },
      );
      this.typing = { id, signal };
    }
    if (text.trim()) this.typing.signal.keystroke();
    else this.typing.signal.stop();
  }

  private stopTyping(): void {
    this.typing?.signal.stop();
    this.typing = null;
  }

  // -------------------------------------------------------------------------------------------
  // Rendering

  private brand(brandId: string): BrandView | undefined {
    return this.session?.brands.find((b) => b.brandId === brandId);
  }

  private isMine(c: ConversationView | null | undefined): boolean {
    return (
      c?.state === 'with_agent' &&
      c.assignee?.agentId !== undefined &&
      c.assignee.agentId === this.session?.agent.agentId
    );
  }

  private isListed(c: ConversationView): boolean {
    return c.state === 'queued' || this.isMine(c);
  }

  /** The conversations of a tab, oldest first. */
  private listed(tab: Tab): ConversationView[] {
    const all = [...this.conversations.values()];
    const chosen =
      tab === 'queue' ? all.filter((c) => c.state === 'queued') : all.filter((c) => this.isMine(c));
    const since = (c: ConversationView) =>
      (tab === 'queue' ? msOf(c.queuedAt) : msOf(c.stateChangedAt)) ?? msOf(c.createdAt) ?? 0;
    return chosen.sort((a, b) => since(a) - since(b) || a.id.localeCompare(b.id));
  }

  private render(): void {
    if (!this.started) return;
    this.saveView();
    this.inbox.render(
      {
        tab: this.tab,
        queue: this.listed('queue'),
        mine: this.listed('mine'),
        openId: this.openId,
        unread: this.unread,
        claiming: this.claiming,
        brandName: (id) => this.brand(id)?.displayName ?? id,
      },
      Date.now(),
    );
    this.renderPane();
    this.renderTitle();
  }

  private renderPane(): void {
    const session = this.session;
    if (!session) return;
    const c = this.open;
    const taken = c ? this.takenBy.get(c.id) : undefined;
    this.pane.render(
      {
        conversation: c,
        me: session.agent,
        brandName: c ? (this.brand(c.brandId)?.displayName ?? c.brandId) : '',
        placeName: (placeId) => {
          const names = c ? this.brand(c.brandId)?.places?.[placeId]?.name : undefined;
          if (!names) return undefined;
          const lang = (c?.locale ?? language()).split('-')[0] ?? '';
          return names[c?.locale ?? ''] ?? names[lang] ?? Object.values(names)[0];
        },
        typing: c ? (this.typingUntil.get(c.id) ?? 0) > Date.now() : false,
        notice: taken !== undefined ? t('takenBy', { name: taken }) : null,
        claiming: c ? this.claiming.has(c.id) : false,
        busy: this.busy,
      },
      Date.now(),
    );
  }

  private renderTitle(): void {
    const queued = this.started ? this.listed('queue').length : 0;
    let unread = 0;
    for (const n of this.unread.values()) unread += n;
    const n = queued + unread;
    const title = n > 0 ? `(${n}) ${t('appTitle')}` : t('appTitle');
    if (document.title !== title) document.title = title;
  }

  private renderStatus(): void {
    const words = { live: t('live'), connecting: t('connecting'), reconnecting: t('reconnecting') };
    setText(this.statusText, words[this.liveState]);
    this.status.dataset.state = this.liveState;
  }

  private tick(): void {
    const now = Date.now();
    this.inbox.tick(now);
    this.pane.tick(now);
    const id = this.openId;
    if (!id) return;
    const until = this.typingUntil.get(id);
    if (until !== undefined && until <= now) {
      this.typingUntil.delete(id);
      this.renderPane();
    }
    // Delivered and read marks come from the customer's receipts: look again now and then.
    const awaiting = this.messages.some(
      (m) =>
        m.direction === 'outbound' &&
        m.representativeType === 'HUMAN' &&
        (m.status === 'SENT' || m.status === 'DELIVERED'),
    );
    if (
      awaiting &&
      this.isMine(this.open) &&
      document.visibilityState === 'visible' &&
      now - this.lastFetch > RECEIPTS_REFRESH_MS &&
      this.refetchTimer === undefined
    ) {
      this.lastFetch = now;
      void this.fetchTranscript(id);
    }
  }

  private showAlert(text: string): void {
    const dismiss = h('button', {
      type: 'button',
      class: 'btn btn--ghost alert__dismiss',
      text: '×',
      'aria-label': t('dismiss'),
    });
    dismiss.addEventListener('click', () => this.alert.replaceChildren());
    this.alert.replaceChildren(h('p', { text }), dismiss);
  }

  private showToast(text: string): void {
    setText(this.toast, text);
    window.clearTimeout(this.toastTimer);
    this.toastTimer = window.setTimeout(() => setText(this.toast, ''), 8000);
  }

  // -------------------------------------------------------------------------------------------
  // Language

  private readLanguage(): Language | undefined {
    try {
      const stored = window.localStorage.getItem(LANGUAGE_KEY);
      return isLanguage(stored) ? stored : undefined;
    } catch {
      return undefined;
    }
  }

  private switchLanguage(next: Language): void {
    setLanguage(next);
    try {
      window.localStorage.setItem(LANGUAGE_KEY, next);
    } catch {
      // Not kept: the next visit follows the browser again.
    }
    this.relabel();
    if (this.started) this.pane.relabelMessages(this.messages, this.speakers());
  }

  /** Every word of the page in the current language. */
  private relabel(): void {
    document.documentElement.lang = language();
    this.languageSelect.value = language();
    setAttrs(this.languageSelect, { title: t('language') });
    setText(this.heading, t('appTitle'));
    setText(this.signOutButton, t('signOut'));
    setAttrs(this.helpButton, { 'aria-label': t('help'), title: t('help') });
    setText(
      this.agentName,
      this.session ? t('signedInAs', { name: this.session.agent.displayName }) : '',
    );
    this.signIn.relabel();
    this.help.relabel();
    this.closeDialog.relabel();
    this.composer.relabel();
    this.renderStatus();
    this.render();
    this.renderTitle();
  }
}

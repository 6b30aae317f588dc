import { cannedText, matchCanned, replaceRange, slashQueryAt, type SlashQuery } from './canned';
import { h, setAttrs, setText, uid } from './dom';
import { t } from './i18n';
import type { CannedResponse } from './types';

/** Business Messages' limit on a text message, in UTF-16 code units as the API counts them. */
export const MAX_TEXT = 3072;

export interface ComposerOptions {
  /** Sends the text; resolves true once accepted (the draft is then cleared). */
  send(text: string): Promise<boolean>;
  /** A keystroke that changed the draft (for the typing indicator and the saved draft). */
  changed(text: string): void;
  /** The canned responses of the open conversation's brand, in its language. */
  canned(): {
    responses: readonly CannedResponse[];
    locale: string | null;
    defaultLocale: string | null;
  };
  /** Escape with nothing to close: the agent leaves the box (shortcuts work again). */
  leave(): void;
}

/**
 * The message box: Enter sends, Shift+Enter starts a line, a counter shows the limit, and a
 * `/shortcut` opens the brand's canned responses, inserted at the cursor (several per message).
 */
export class Composer {
  readonly root: HTMLFormElement;
  readonly textarea: HTMLTextAreaElement;
  private readonly counter: HTMLSpanElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly listbox: HTMLUListElement;
  private readonly hint: HTMLParagraphElement;
  private matches: CannedResponse[] = [];
  private active = 0;
  private slash: SlashQuery | null = null;
  private sending = false;

  constructor(private readonly options: ComposerOptions) {
    this.counter = h('span', { class: 'counter', id: uid('counter') });
    this.listbox = h('ul', { class: 'canned', role: 'listbox', id: uid('canned'), hidden: true });
    this.hint = h('p', { class: 'canned-empty', hidden: true });
    this.textarea = h('textarea', {
      class: 'composer__text',
      'aria-label': 'Message',
      'aria-describedby': this.counter.id,
      'aria-autocomplete': 'list',
      'aria-controls': this.listbox.id,
      rows: 3,
      maxlength: MAX_TEXT,
      spellcheck: 'true',
    });
    this.sendButton = h('button', {
      type: 'submit',
      class: 'btn btn--primary',
      'aria-label': 'Send',
    });
    this.root = h('form', { class: 'composer' }, [
      this.listbox,
      this.hint,
      this.textarea,
      h('div', { class: 'composer__bar' }, [this.counter, this.sendButton]),
    ]);
    this.root.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    this.textarea.addEventListener('input', () => {
      this.updateCounter();
      this.options.changed(this.textarea.value);
      this.refreshCanned();
    });
    this.textarea.addEventListener('click', () => this.refreshCanned());
    this.textarea.addEventListener('blur', () => this.closeCanned());
    this.textarea.addEventListener('keydown', (e) => this.keydown(e));
    this.listbox.addEventListener('mousedown', (e) => e.preventDefault());
    this.relabel();
  }

  relabel(): void {
    setAttrs(this.textarea, { placeholder: t('composerPlaceholder') });
    setText(this.sendButton, t('send'));
    setAttrs(this.listbox, { 'aria-label': t('cannedResponses') });
    this.updateCounter();
  }

  get value(): string {
    return this.textarea.value;
  }

  /** Puts a saved draft in the box (opening a conversation). */
  setDraft(text: string): void {
    this.textarea.value = text;
    this.closeCanned();
    this.updateCounter();
  }

  focus(): void {
    this.textarea.focus();
  }

  /** The `/` shortcut: focus the box and start a `/shortcut` at the cursor. */
  startCanned(): void {
    const ta = this.textarea;
    ta.focus();
    const at = ta.selectionStart ?? ta.value.length;
    const before = ta.value.slice(0, at);
    const insert = before === '' || /\s$/.test(before) ? '/' : ' /';
    ta.setRangeText(insert, at, ta.selectionEnd ?? at, 'end');
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }

  private updateCounter(): void {
    const n = this.textarea.value.length;
    setText(this.counter, t('counter', { n, max: MAX_TEXT }));
    this.counter.classList.toggle('counter--over', n > MAX_TEXT);
    setAttrs(this.counter, { title: n > MAX_TEXT ? t('tooLong', { max: MAX_TEXT }) : null });
  }

  private keydown(e: KeyboardEvent): void {
    if (this.isCannedOpen()) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = this.matches.length;
        this.active = (this.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
        this.renderCanned();
        return;
      }
      if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
        e.preventDefault();
        this.insert(this.active);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.closeCanned();
        return;
      }
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      if (!this.hint.hidden) this.closeCanned();
      else this.options.leave();
      return;
    }
    if (
      e.key === 'Enter' &&
      !e.shiftKey &&
      !e.altKey &&
      !e.ctrlKey &&
      !e.metaKey &&
      !e.isComposing
    ) {
      e.preventDefault();
      void this.submit();
    }
  }

  private async submit(): Promise<void> {
    const text = this.textarea.value;
    if (text.length > MAX_TEXT) {
      setText(this.hint, t('tooLong', { max: MAX_TEXT }));
      this.hint.hidden = false;
      return;
    }
    if (this.sending || text.trim() === '') return;
    this.sending = true;
    this.sendButton.disabled = true;
    try {
      if (await this.options.send(text)) {
        // Keep anything typed while the message was on its way.
        const now = this.textarea.value;
        this.textarea.value = now.startsWith(text) ? now.slice(text.length).trimStart() : now;
        this.updateCounter();
        this.options.changed(this.textarea.value);
      }
    } finally {
      this.sending = false;
      this.sendButton.disabled = false;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Canned responses

  private isCannedOpen(): boolean {
    return !this.listbox.hidden && this.matches.length > 0;
  }

  private refreshCanned(): void {
    const ta = this.textarea;
    const cursor = ta.selectionStart ?? ta.value.length;
    this.slash = ta.selectionStart === ta.selectionEnd ? slashQueryAt(ta.value, cursor) : null;
    if (!this.slash) {
      this.closeCanned();
      return;
    }
    const { responses } = this.options.canned();
    const previous = this.matches[this.active];
    this.matches = matchCanned(responses, this.slash.query);
    const kept = previous ? this.matches.indexOf(previous) : -1;
    this.active = kept >= 0 ? kept : 0;
    this.renderCanned();
  }

  private renderCanned(): void {
    const { locale, defaultLocale } = this.options.canned();
    if (this.matches.length === 0) {
      this.listbox.hidden = true;
      this.hint.hidden = this.slash === null || this.slash.query === '';
      setText(this.hint, t('noCanned', { query: this.slash?.query ?? '' }));
      this.textarea.removeAttribute('aria-activedescendant');
      return;
    }
    this.hint.hidden = true;
    const options = this.matches.map((r, i) => {
      const option = h(
        'li',
        {
          role: 'option',
          id: `${this.listbox.id}-${i}`,
          class: 'canned__option',
          'aria-selected': i === this.active ? 'true' : 'false',
        },
        [
          h('span', { class: 'canned__shortcut', text: `/${r.shortcut}` }),
          h('span', { class: 'canned__title', text: r.title }),
          h('span', { class: 'canned__text', text: cannedText(r, locale, defaultLocale) }),
        ],
      );
      option.addEventListener('click', () => this.insert(i));
      return option;
    });
    this.listbox.replaceChildren(...options);
    this.listbox.hidden = false;
    this.textarea.setAttribute('aria-activedescendant', `${this.listbox.id}-${this.active}`);
    options[this.active]?.scrollIntoView({ block: 'nearest' });
  }

  private closeCanned(): void {
    this.listbox.hidden = true;
    this.hint.hidden = true;
    this.matches = [];
    this.textarea.removeAttribute('aria-activedescendant');
  }

  /** Replaces the `/shortcut` before the cursor with the canned text. */
  private insert(index: number): void {
    const response = this.matches[index];
    const slash = this.slash;
    if (!response || !slash) return;
    const { locale, defaultLocale } = this.options.canned();
    const ta = this.textarea;
    const end = slash.start + 1 + slash.query.length;
    const result = replaceRange(
      ta.value,
      slash.start,
      end,
      cannedText(response, locale, defaultLocale),
    );
    ta.value = result.text;
    ta.setSelectionRange(result.cursor, result.cursor);
    this.closeCanned();
    this.updateCounter();
    this.options.changed(ta.value);
    ta.focus();
  }
}

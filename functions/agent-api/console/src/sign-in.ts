import { ApiError, type Api } from './api';
import { h, setAttrs, setText, uid } from './dom';
import { errorWords } from './errors';
import { t } from './i18n';
import type { SessionView } from './types';

export type SignInMode = 'page' | 'expired' | 'iap';

/**
 * Local sign-in with an agent token (`POST /session` sets the HttpOnly session cookie). The
 * token is only ever in this field and the request body: never in a URL or in storage.
 */
export class SignInForm {
  readonly root: HTMLFormElement;
  private readonly title: HTMLHeadingElement;
  private readonly intro: HTMLParagraphElement;
  private readonly label: HTMLLabelElement;
  private readonly input: HTMLInputElement;
  private readonly button: HTMLButtonElement;
  private readonly error: HTMLParagraphElement;
  private readonly fields: HTMLDivElement;
  private readonly reload: HTMLButtonElement;
  private mode: SignInMode = 'page';
  private busy = false;

  constructor(
    private readonly api: Api,
    private readonly signedIn: (session: SessionView) => void,
  ) {
    const inputId = uid('token');
    this.title = h('h1', { class: 'signin__title', id: uid('signin-title') });
    this.intro = h('p', { class: 'signin__intro' });
    this.label = h('label', { for: inputId });
    this.input = h('input', {
      id: inputId,
      type: 'password',
      name: 'agent-token',
      autocomplete: 'current-password',
      'aria-label': 'Agent token',
      required: true,
      spellcheck: 'false',
    });
    this.button = h('button', {
      type: 'submit',
      class: 'btn btn--primary',
      'aria-label': 'Sign in',
    });
    this.error = h('p', { class: 'form-error', 'aria-live': 'assertive' });
    this.fields = h('div', { class: 'signin__fields' }, [this.label, this.input, this.button]);
    this.reload = h('button', { type: 'button', class: 'btn', hidden: true });
    this.reload.addEventListener('click', () => location.reload());
    this.root = h('form', { class: 'signin', 'aria-labelledby': this.title.id, novalidate: true }, [
      this.title,
      this.intro,
      this.fields,
      this.error,
      this.reload,
    ]);
    this.root.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    this.relabel();
  }

  setMode(mode: SignInMode): void {
    this.mode = mode;
    setText(this.error, '');
    this.relabel();
  }

  relabel(): void {
    setText(this.title, t('signInTitle'));
    setText(
      this.intro,
      this.mode === 'expired'
        ? t('sessionExpired')
        : this.mode === 'iap'
          ? t('iapOnly')
          : t('signInIntro'),
    );
    setText(this.label, t('tokenLabel'));
    setText(this.button, this.busy ? t('signingIn') : t('signIn'));
    setText(this.reload, t('reload'));
    this.fields.hidden = this.mode === 'iap';
    this.reload.hidden = this.mode !== 'iap';
  }

  focus(): void {
    (this.mode === 'iap' ? this.reload : this.input).focus();
  }

  private async submit(): Promise<void> {
    const token = this.input.value.trim();
    if (this.busy) return;
    if (!token) {
      setText(this.error, t('wrongToken'));
      this.input.focus();
      return;
    }
    this.busy = true;
    this.button.disabled = true;
    this.relabel();
    try {
      const session = await this.api.signIn(token);
      this.input.value = '';
      setText(this.error, '');
      this.signedIn(session);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setText(this.error, t('wrongToken'));
      else if (error instanceof ApiError && error.status === 404) this.setMode('iap');
      else setText(this.error, errorWords(error));
      setAttrs(this.input, {
        'aria-invalid': error instanceof ApiError && error.status === 401 ? 'true' : null,
      });
      this.focus();
    } finally {
      this.busy = false;
      this.button.disabled = false;
      this.relabel();
    }
  }
}

import { h, setText, uid } from './dom';
import { t, type MessageKey } from './i18n';

/** A modal `<dialog>` that gives focus back to where it was when it closes. */
function modal(labelledBy: string, children: Node[]): HTMLDialogElement {
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': labelledBy }, children);
  let before: Element | null = null;
  dialog.addEventListener('close', () => {
    if (before instanceof HTMLElement && before.isConnected) before.focus();
  });
  const show = dialog.showModal.bind(dialog);
  dialog.showModal = () => {
    before = document.activeElement;
    show();
  };
  return dialog;
}

const SHORTCUTS: [string, MessageKey][] = [
  ['j', 'keyNext'],
  ['k', 'keyPrev'],
  ['c', 'keyClaim'],
  ['e', 'keyClose'],
  ['/', 'keyCanned'],
  ['?', 'keyHelp'],
  ['Enter', 'keyEnter'],
  ['Shift+Enter', 'keyShiftEnter'],
  ['Escape', 'keyEscape'],
];

/** The `?` overlay listing the shortcuts; Escape closes it. */
export class HelpDialog {
  readonly root: HTMLDialogElement;
  private readonly title: HTMLHeadingElement;
  private readonly intro: HTMLParagraphElement;
  private readonly list: HTMLDListElement;
  private readonly closeButton: HTMLButtonElement;

  constructor() {
    this.title = h('h2', { id: uid('help-title') });
    this.intro = h('p');
    this.list = h('dl', { class: 'keys' });
    this.closeButton = h('button', { type: 'button', class: 'btn' });
    this.closeButton.addEventListener('click', () => this.root.close());
    this.root = modal(this.title.id, [
      this.title,
      this.intro,
      this.list,
      h('div', { class: 'dialog__actions' }, [this.closeButton]),
    ]);
    this.relabel();
  }

  relabel(): void {
    setText(this.title, t('helpTitle'));
    setText(this.intro, t('helpIntro'));
    setText(this.closeButton, t('dismiss'));
    this.list.replaceChildren(
      ...SHORTCUTS.flatMap(([key, what]) => [
        h(
          'dt',
          {},
          key
            .split('+')
            .flatMap((k, i) => (i ? ['+', h('kbd', { text: k })] : [h('kbd', { text: k })])),
        ),
        h('dd', { text: t(what) }),
      ]),
    );
  }

  open(): void {
    if (!this.root.open) this.root.showModal();
  }
}

/** "Close the conversation with Sam?", with the optional survey. */
export class CloseDialog {
  readonly root: HTMLDialogElement;
  private readonly title: HTMLHeadingElement;
  private readonly survey: HTMLInputElement;
  private readonly surveyLabel: HTMLSpanElement;
  private readonly confirm: HTMLButtonElement;
  private readonly cancel: HTMLButtonElement;
  private name = '';
  private onConfirm: ((survey: boolean) => void) | undefined;

  constructor() {
    this.title = h('h2', { id: uid('close-title') });
    this.survey = h('input', { type: 'checkbox' });
    this.surveyLabel = h('span');
    this.confirm = h('button', { type: 'button', class: 'btn btn--danger' });
    this.cancel = h('button', { type: 'button', class: 'btn' });
    this.confirm.addEventListener('click', () => {
      const callback = this.onConfirm;
      this.onConfirm = undefined;
      this.root.close();
      callback?.(this.survey.checked);
    });
    this.cancel.addEventListener('click', () => this.root.close());
    this.root = modal(this.title.id, [
      this.title,
      h('label', { class: 'check' }, [this.survey, this.surveyLabel]),
      h('div', { class: 'dialog__actions' }, [this.cancel, this.confirm]),
    ]);
    this.relabel();
  }

  relabel(): void {
    setText(this.title, t('closeTitle', { name: this.name }));
    setText(this.surveyLabel, t('closeSurvey'));
    setText(this.confirm, t('closeConfirm'));
    setText(this.cancel, t('cancel'));
  }

  open(name: string, onConfirm: (survey: boolean) => void): void {
    this.name = name;
    this.onConfirm = onConfirm;
    this.survey.checked = false;
    this.relabel();
    if (!this.root.open) this.root.showModal();
  }
}

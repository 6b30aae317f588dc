import { isTypingTarget } from './dom';

export interface ShortcutActions {
  next: () => void;
  previous: () => void;
  claim: () => void;
  close: () => void;
  canned: () => void;
  help: () => void;
}

/**
 * j/k move between conversations, c claims, e closes, / starts a canned response, ? shows the
 * help. Quiet while the agent types in a field, while a dialog is open, and with Ctrl/Alt/Meta.
 */
export function installShortcuts(target: Document, actions: ShortcutActions): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
    if (isTypingTarget(e.target)) return;
    if (target.querySelector('dialog[open]')) return;
    const action: (() => void) | undefined = {
      j: actions.next,
      k: actions.previous,
      c: actions.claim,
      e: actions.close,
      '/': actions.canned,
      '?': actions.help,
    }[e.key];
    if (!action) return;
    e.preventDefault();
    action();
  };
  target.addEventListener('keydown', onKey);
  return () => target.removeEventListener('keydown', onKey);
}

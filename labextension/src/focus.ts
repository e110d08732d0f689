/**
 * Keyboard and focus, as the WAI-ARIA dialog pattern and JupyterLab's own `Dialog` do them:
 *
 * - `ModalFocus` (the launch dialog): initial focus on the first field, Tab and Shift+Tab wrap
 *   inside, focus that lands outside comes back (JupyterLab restoring its layout at launch
 *   focuses the file browser or a notebook), Escape and Enter call the dialog's actions.
 * - `FormKeys` (the Secrets panel and User secrets): Escape in an inline form presses its
 *   Cancel; when a form closes or the element that had the focus goes away (Save, Unlink,
 *   Cancel), the focus goes back to the button that opened it — or the nearest one of the
 *   same card — instead of falling to the page.
 *
 * DOM only: no React, no JupyterLab, so that both can be tested under jsdom.
 */

/** What a modal's keys do: Escape is `later`, Enter is `save` (the launch dialog's form). */
export interface ILaunchActions {
  later: () => void;
  save: () => void;
}

/** The fields and buttons Tab walks through, in document order. */
const FOCUSABLE = [
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  'button:not([disabled])',
  'a[href]',
  '[tabindex]:not([tabindex="-1"])'
].join(', ');

/** The elements of `root` that take focus from the keyboard (enabled, not hidden). */
export function focusableIn(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    el => !el.closest('[hidden], [inert], [aria-hidden="true"]')
  );
}

/** Is this a field one types into (not a button, radio or checkbox)? */
function isField(el: HTMLElement): boolean {
  return (
    el instanceof HTMLTextAreaElement ||
    el instanceof HTMLSelectElement ||
    (el instanceof HTMLInputElement && !['radio', 'checkbox', 'button', 'submit'].includes(el.type))
  );
}

/** Enter presses a button, or is a new line in a multi-line field; elsewhere it submits. */
function enterSubmits(event: KeyboardEvent): boolean {
  if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.isComposing) {
    return false;
  }
  const target = event.target as HTMLElement;
  const command = event.ctrlKey || event.metaKey;
  if (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement) {
    return false;
  }
  if ((target instanceof HTMLTextAreaElement || target.isContentEditable) && !command) {
    return false;
  }
  return true;
}

export class ModalFocus {
  constructor(
    readonly node: HTMLElement,
    private readonly _keys: { escape: () => void; enter: () => void }
  ) {}

  attach(): void {
    this.node.addEventListener('keydown', this._onKeydown);
    document.addEventListener('focusin', this._onFocusIn, true);
  }

  detach(): void {
    this.node.removeEventListener('keydown', this._onKeydown);
    document.removeEventListener('focusin', this._onFocusIn, true);
  }

  /** Focus the first field, else the first button (unless the focus is inside already). */
  focusInitial(): void {
    if (this.node.contains(document.activeElement)) {
      return;
    }
    const focusable = focusableIn(this.node);
    (focusable.find(isField) ?? focusable[0])?.focus();
  }

  /** Focus that lands outside the modal (and outside a dialog above it) comes back. */
  private _onFocusIn = (event: FocusEvent) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) {
      return;
    }
    if (this.node.contains(target)) {
      this._last = target;
      return;
    }
    if (target.closest('.jp-Dialog, [aria-modal="true"], .Toastify')) {
      return; // another modal above this one, or a notification's button
    }
    if (this._last?.isConnected && this.node.contains(this._last)) {
      this._last.focus();
    } else {
      this.focusInitial();
    }
  };

  private _onKeydown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this._keys.escape();
    } else if (enterSubmits(event)) {
      event.preventDefault();
      event.stopPropagation();
      this._keys.enter();
    } else if (event.key === 'Tab') {
      const focusable = focusableIn(this.node);
      if (!focusable.length) {
        event.preventDefault();
        return;
      }
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      const active = document.activeElement;
      const inside = !!active && this.node.contains(active);
      if (event.shiftKey && (!inside || active === first)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (!inside || active === last)) {
        event.preventDefault();
        first.focus();
      }
    }
  };

  private _last: HTMLElement | null = null;
}

/** The cards focus may return to: a slot, a secret, or any element naming its item. */
const CARD = '[data-slot-name], [data-secret-name], [data-secret-id], li';

/** How to find an element again after React re-rendered it: its test id, within its card. */
interface IFocusKey {
  testId: string | null;
  card: { attr: string; value: string } | null;
}

function keyOf(el: HTMLElement): IFocusKey {
  const card = el.closest<HTMLElement>(CARD);
  let cardKey: IFocusKey['card'] = null;
  for (const attr of ['data-slot-name', 'data-secret-name', 'data-secret-id']) {
    const value = card?.getAttribute(attr);
    if (value) {
      cardKey = { attr, value };
      break;
    }
  }
  return { testId: el.getAttribute('data-testid'), card: cardKey };
}

export class FormKeys {
  constructor(readonly node: HTMLElement) {}

  attach(): void {
    this.node.addEventListener('keydown', this._onKeydown);
    this.node.addEventListener('focusin', this._onFocusIn);
    this._observer = new MutationObserver(() => this._restoreIfLost());
    this._observer.observe(this.node, { childList: true, subtree: true });
  }

  detach(): void {
    this.node.removeEventListener('keydown', this._onKeydown);
    this.node.removeEventListener('focusin', this._onFocusIn);
    this._observer?.disconnect();
    this._observer = null;
  }

  /** Escape in a form presses its Cancel (the reject button). */
  private _onKeydown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || event.defaultPrevented) {
      return;
    }
    const form = (event.target as HTMLElement).closest?.('form');
    if (!form || !this.node.contains(form)) {
      return;
    }
    const cancel = form.querySelector<HTMLButtonElement>(
      'button.jp-mod-reject:not([disabled]), button[data-testid$="-cancel"]:not([disabled])'
    );
    if (cancel) {
      event.preventDefault();
      event.stopPropagation();
      cancel.click();
    }
  };

  private _onFocusIn = (event: FocusEvent) => {
    const target = event.target as HTMLElement;
    this._current = target;
    // The opener is the last focused element outside any form: where a closed form returns.
    if (!target.closest('form')) {
      this._opener = keyOf(target);
    }
  };

  /** The focused element left the page (a form closed, a button went away): focus nearby. */
  private _restoreIfLost(): void {
    const current = this._current;
    if (!current || current.isConnected) {
      return;
    }
    const active = document.activeElement;
    if (active && active !== document.body && !this.node.contains(active)) {
      return; // the user is elsewhere (another panel, a dialog)
    }
    this._current = null;
    const target = this._find(this._opener) ?? this._find(keyOf(current));
    target?.focus();
  }

  /** The element of that key, else the first one of its card, else the first one here. */
  private _find(key: IFocusKey | null): HTMLElement | null {
    if (!key) {
      return null;
    }
    const card = key.card
      ? Array.from(this.node.querySelectorAll<HTMLElement>(`[${key.card.attr}]`)).find(
          el => el.getAttribute(key.card!.attr) === key.card!.value
        )
      : undefined;
    if (key.card && !card) {
      return focusableIn(this.node)[0] ?? null; // the card itself went away
    }
    const focusable = focusableIn(card ?? this.node);
    const same = key.testId
      ? focusable.find(el => el.getAttribute('data-testid') === key.testId)
      : undefined;
    return same ?? focusable[0] ?? focusableIn(this.node)[0] ?? null;
  }

  private _observer: MutationObserver | null = null;
  private _current: HTMLElement | null = null;
  private _opener: IFocusKey | null = null;
}

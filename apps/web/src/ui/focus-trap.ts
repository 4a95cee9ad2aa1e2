/** What a key pressed inside a modal dialog should do. */
export type DialogKeyAction = { kind: 'dismiss' } | { kind: 'focus'; index: number } | null;

/**
 * Tab and Shift+Tab cycle through the dialog's own controls (`current` is the index of the
 * focused one, -1 when focus is outside it), so the page behind a modal is unreachable;
 * Escape dismisses, as a person expects of a dialog.
 */
export function dialogKeyAction(
  key: string,
  shiftKey: boolean,
  current: number,
  count: number,
): DialogKeyAction {
  if (key === 'Escape') return { kind: 'dismiss' };
  if (key !== 'Tab' || count === 0) return null;
  if (current < 0) return { kind: 'focus', index: shiftKey ? count - 1 : 0 };
  return { kind: 'focus', index: (current + (shiftKey ? count - 1 : 1)) % count };
}

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Applies dialogKeyAction to a keydown; returns true when the dialog should be dismissed. */
export function handleDialogKey(event: KeyboardEvent, dialog: HTMLElement): boolean {
  const focusable = Array.from(dialog.querySelectorAll<HTMLElement>(FOCUSABLE));
  const active = dialog.ownerDocument.activeElement;
  const current = active instanceof HTMLElement ? focusable.indexOf(active) : -1;
  const action = dialogKeyAction(event.key, event.shiftKey, current, focusable.length);
  if (!action) return false;
  event.preventDefault();
  if (action.kind === 'dismiss') return true;
  focusable[action.index]?.focus();
  return false;
}

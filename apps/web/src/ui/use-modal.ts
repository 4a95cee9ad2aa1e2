'use client';
import { type RefObject, useEffect, useRef } from 'react';
import { handleDialogKey } from './focus-trap';

/**
 * A modal dialog's keyboard contract while `openKey` is set: focus moves to `initialFocus`,
 * Tab stays inside `dialog`, Escape calls `onDismiss`, and on close focus goes back where it
 * was. A new `openKey` (another ring of a dialog that stays mounted) starts over.
 */
export function useModal(
  openKey: string | null,
  dialog: RefObject<HTMLElement | null>,
  initialFocus: RefObject<HTMLElement | null>,
  onDismiss: () => void,
): void {
  // Callers pass a new function each render; the key listener must not re-subscribe (and
  // re-focus) on every render, so it reads the latest one through a ref.
  const dismiss = useRef(onDismiss);
  dismiss.current = onDismiss;
  useEffect(() => {
    if (openKey === null) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    initialFocus.current?.focus();
    // On the document, not the dialog: Tab must be caught even once focus has left it.
    const onKeyDown = (event: KeyboardEvent) => {
      const element = dialog.current;
      if (element && handleDialogKey(event, element)) dismiss.current();
    };
    document.addEventListener('keydown', onKeyDown, true);
    return () => {
      document.removeEventListener('keydown', onKeyDown, true);
      if (previous?.isConnected) previous.focus();
    };
  }, [openKey, dialog, initialFocus]);
}

'use client';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { PeerVolumeControl } from './peer-volume';

export interface ModerationActions {
  readonly canMute: boolean;
  readonly onMute: () => void;
  readonly onRemove: () => void;
}

/**
 * "Options for <name>": a popover with that person's volume, "Mute for me" and, for the host,
 * moderation (Remove asks first). Esc or a click outside closes it and focus returns to the
 * button. A non-modal dialog rather than role="menu": a slider is not a menu item.
 */
export function PersonMenu({
  userId,
  name,
  moderation,
  children,
}: {
  userId: string;
  name: string;
  moderation?: ModerationActions | undefined;
  /** Shown above the volume (the room's safety code). */
  children?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const panelId = useId();

  const close = (returnFocus: boolean) => {
    setOpen(false);
    setConfirming(false);
    if (returnFocus) buttonRef.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    panelRef.current?.querySelector<HTMLElement>('input, button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopPropagation();
      close(true);
    };
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (panelRef.current?.contains(target) || buttonRef.current?.contains(target)) return;
      close(false);
    };
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('pointerdown', onPointer, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('pointerdown', onPointer, true);
    };
  }, [open]);

  return (
    <div className="person-menu">
      <button
        ref={buttonRef}
        type="button"
        className="button small person-menu-button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => (open ? close(false) : setOpen(true))}
      >
        <DotsIcon />
        <span className="sr-only">Options for {name}</span>
      </button>
      {open ? (
        <div
          ref={panelRef}
          id={panelId}
          role="dialog"
          aria-label={`Options for ${name}`}
          className="card person-menu-panel"
        >
          {children}
          <PeerVolumeControl userId={userId} name={name} />
          {moderation ? (
            <Section>
              <button
                type="button"
                className="button small"
                disabled={!moderation.canMute}
                onClick={() => {
                  moderation.onMute();
                  close(true);
                }}
              >
                Mute {name}
              </button>
              {confirming ? (
                <fieldset className="person-menu-confirm">
                  <legend className="sr-only">Remove {name}?</legend>
                  <p className="small">
                    Remove {name}? They cannot rejoin while the room stays open.
                  </p>
                  <button
                    type="button"
                    className="button small danger"
                    onClick={() => {
                      moderation.onRemove();
                      close(false);
                    }}
                  >
                    Yes, remove {name}
                  </button>
                  <button
                    type="button"
                    className="button small"
                    onClick={() => setConfirming(false)}
                  >
                    Cancel
                  </button>
                </fieldset>
              ) : (
                <button
                  type="button"
                  className="button small danger"
                  onClick={() => setConfirming(true)}
                >
                  Remove {name}
                </button>
              )}
            </Section>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function Section({ children }: { children: ReactNode }) {
  return <div className="person-menu-section">{children}</div>;
}

function DotsIcon() {
  return (
    <svg aria-hidden="true" className="icon" viewBox="0 0 24 24" width="18" height="18">
      <circle cx="5" cy="12" r="2" fill="currentColor" />
      <circle cx="12" cy="12" r="2" fill="currentColor" />
      <circle cx="19" cy="12" r="2" fill="currentColor" />
    </svg>
  );
}

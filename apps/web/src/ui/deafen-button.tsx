'use client';
import { useApp, useStore } from './hooks';

/**
 * Deafen: hear nobody and send nothing (accessible name exactly "Deafen" / "Undeafen").
 * In a room the others see it on your tile.
 */
export function DeafenButton() {
  const app = useApp();
  const { deafened } = useStore(app.transmit);
  return (
    <>
      <button
        type="button"
        className={`button round ${deafened ? 'danger' : ''}`}
        title={deafened ? 'Undeafen: hear the others again' : 'Deafen: hear nobody, send nothing'}
        onClick={() => app.transmit.setDeafened(!deafened)}
      >
        <HeadphonesIcon off={deafened} />
        <span className="button-label">{deafened ? 'Undeafen' : 'Deafen'}</span>
      </button>
      <span className="sr-only" aria-live="polite">
        {deafened ? 'Deafened: you hear nobody and nobody hears you' : ''}
      </span>
    </>
  );
}

function HeadphonesIcon({ off }: { off: boolean }) {
  return (
    <svg
      aria-hidden="true"
      className="icon"
      viewBox="0 0 24 24"
      width="18"
      height="18"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d="M3 18v-6a9 9 0 0 1 18 0v6" />
      <path d="M21 19a2 2 0 0 1-2 2h-1v-6h3zM3 19a2 2 0 0 0 2 2h1v-6H3z" />
      {off ? <path d="M3 3l18 18" /> : null}
    </svg>
  );
}

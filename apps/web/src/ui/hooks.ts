'use client';
import {
  createContext,
  type RefObject,
  useContext,
  useEffect,
  useLayoutEffect,
  useState,
  useSyncExternalStore,
} from 'react';
import type { AppClient, Connection } from '../client/app-client';

interface Readable<T> {
  getSnapshot(): T;
  subscribe(listener: () => void): () => void;
}

/** Renders from a framework-free store. */
export function useStore<T>(store: Readable<T>): T {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}

/**
 * Whether `levelId` (a user id, or SELF_LEVEL_ID) is speaking. Each tile reads its own
 * boolean, so a level change re-renders the one tile whose light changed, not the whole view.
 */
export function useSpeaking(levelId: string): boolean {
  const { levels } = useConnection();
  return useSyncExternalStore(
    levels.subscribe,
    () => levels.getSnapshot().has(levelId),
    () => false,
  );
}

/**
 * Lights a room tile while its person speaks, on the DOM itself rather than through a render:
 * speech toggles the light several times a second per person, and re-rendering the whole tile
 * (menu, safety code, quality badge) each time was a large part of every page's work in a full
 * room. Sets `tile-speaking` and `data-speaking` on `ref`'s element, `speaking` on its
 * `.avatar`, and "Speaking" in its `[data-speaking-text]` for screen readers; the tile's
 * render leaves those alone (React only rewrites what its own props changed: the class when
 * `muted` changes, and this effect runs again then).
 */
export function useSpeakingLight(
  ref: RefObject<HTMLElement | null>,
  levelId: string,
  muted: boolean,
): void {
  const { levels } = useConnection();
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    let lit: boolean | null = null;
    const apply = () => {
      const on = !muted && levels.getSnapshot().has(levelId);
      if (on === lit) return;
      lit = on;
      element.classList.toggle('tile-speaking', on);
      element.dataset.speaking = on ? 'true' : 'false';
      element.querySelector('.avatar')?.classList.toggle('speaking', on);
      const text = element.querySelector('[data-speaking-text]');
      if (text) text.textContent = on ? 'Speaking' : '';
    };
    apply();
    return levels.subscribe(apply);
  }, [ref, levels, levelId, muted]);
}

export const AppContext = createContext<AppClient | null>(null);
export const ConnectionContext = createContext<Connection | null>(null);

export function useApp(): AppClient {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside <AppContext>');
  return app;
}

export function useConnection(): Connection {
  const connection = useContext(ConnectionContext);
  if (!connection) throw new Error('useConnection outside <ConnectionContext>');
  return connection;
}

/** The current time, ticking every `intervalMs` (call durations). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** Runs `action`, reporting a failure as an error notice. */
export function useAction() {
  const app = useApp();
  return async (action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      const message = error instanceof Error ? error.message : 'Something went wrong.';
      app.notices.error(message);
    }
  };
}

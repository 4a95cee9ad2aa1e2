'use client';
import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
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

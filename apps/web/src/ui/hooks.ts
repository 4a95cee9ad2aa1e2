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

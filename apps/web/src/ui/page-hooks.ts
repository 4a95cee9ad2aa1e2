import { type AppClient, pageLog } from '../client/app-client';

/**
 * What the page exposes on `window.__openwcall`, for diagnostics (the console, a bug report)
 * and for the browser tests, which type `window` with it (e2e/browser.ts): a rename here fails
 * their typecheck instead of their run.
 */
export function pageHooks(app: AppClient) {
  return {
    app,
    /** The page's recent log lines (PageLog), oldest first. */
    logs: () => pageLog.recent(),
    /** Loses the signaling transport the way a network drop does; the client reconnects. */
    dropSignaling: () => app.connection.getSnapshot()?.signaling.dropConnection(),
    restartIce: () => app.connection.getSnapshot()?.room.restartIce(),
  };
}

export type PageHooks = ReturnType<typeof pageHooks>;

'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { AppClient } from '../client/app-client';
import { readBrowserConfig } from '../config/runtime';
import { AccountPage } from './account-page';
import { AdminPage } from './admin-page';
import { AuthScreen } from './auth-screen';
import { CallView, IncomingCallDialog } from './call-view';
import { Header } from './header';
import { AppContext, ConnectionContext, useApp, useStore } from './hooks';
import { InviteScreen, ResetScreen } from './link-screens';
import { Lobby } from './lobby';
import { NoticeList } from './notice-list';
import { RoomView } from './room-view';

// One client for the page's whole life (React may mount the root twice in development).
let singleton: AppClient | null = null;

function getAppClient(): AppClient {
  if (!singleton) {
    singleton = new AppClient(readBrowserConfig(document));
    // Handles for diagnostics and browser tests (e.g. dropping the signaling connection).
    Object.assign(window, {
      __openwcall: {
        app: singleton,
        dropSignaling: () => singleton?.connection.getSnapshot()?.signaling.dropConnection(),
      },
    });
  }
  return singleton;
}

/** Which page of the app the URL names; the app itself is the same on each. */
export type AppPage =
  | { readonly kind: 'home' }
  | { readonly kind: 'account' }
  | { readonly kind: 'admin' }
  | { readonly kind: 'invite'; readonly token: string }
  | { readonly kind: 'reset'; readonly token: string };

const HOME: AppPage = { kind: 'home' };

export function OpenWCallApp({ page = HOME }: { page?: AppPage }) {
  const [app, setApp] = useState<AppClient | null>(null);
  useEffect(() => setApp(getAppClient()), []);
  if (!app) return <Loading label="Starting OpenWCall…" />;
  return (
    <AppContext.Provider value={app}>
      <Shell page={page} />
    </AppContext.Provider>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <main className="page center" aria-busy="true">
      <div className="spinner" aria-hidden="true" />
      <p className="muted">{label}</p>
    </main>
  );
}

function Shell({ page }: { page: AppPage }) {
  const app = useApp();
  const session = useStore(app.session);
  const connection = useStore(app.connection);
  let body: React.ReactNode;
  // A reset link works whoever is signed in here: it is for the person it was issued to.
  if (page.kind === 'reset') body = <ResetScreen token={page.token} />;
  else if (session.status === 'loading') body = <Loading label="Signing you in…" />;
  else if (session.status === 'signed-out' || !connection) {
    body =
      page.kind === 'invite' ? (
        <InviteScreen token={page.token} />
      ) : (
        <AuthScreen notice={session.status === 'signed-out' ? session.notice : undefined} />
      );
  } else {
    body = (
      <ConnectionContext.Provider value={connection}>
        <Header />
        {page.kind === 'account' ? (
          <AccountPage />
        ) : page.kind === 'admin' ? (
          <AdminPage />
        ) : (
          <SignedIn />
        )}
        {page.kind === 'invite' ? <GoHome /> : null}
      </ConnectionContext.Provider>
    );
  }
  return (
    <>
      {body}
      <NoticeList />
    </>
  );
}

/** Signed in on an invitation page (just signed up with it): the address becomes the app's. */
function GoHome() {
  const router = useRouter();
  useEffect(() => router.replace('/'), [router]);
  return null;
}

function SignedIn() {
  const app = useApp();
  const connection = useStore(app.connection);
  if (!connection) return null;
  return <Conversation />;
}

function Conversation() {
  const app = useApp();
  const connection = useStore(app.connection);
  // biome-ignore lint/style/noNonNullAssertion: rendered only with a connection
  const conn = connection!;
  const room = useStore(conn.room);
  const call = useStore(conn.call);
  const signaling = useStore(conn.signaling);
  let view: React.ReactNode;
  if (call.phase === 'outgoing' || call.phase === 'active') view = <CallView />;
  else if (room.phase !== 'idle') view = <RoomView />;
  else if (signaling.status === 'connecting' || signaling.status === 'authenticating') {
    view = signaling.user ? <Lobby /> : <Loading label="Connecting to the server…" />;
  } else view = <Lobby />;
  return (
    <>
      {view}
      {call.phase === 'incoming' ? <IncomingCallDialog /> : null}
    </>
  );
}

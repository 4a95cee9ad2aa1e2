'use client';
import { useEffect, useState } from 'react';
import { AppClient } from '../client/app-client';
import { readBrowserConfig } from '../config/runtime';
import { AuthScreen } from './auth-screen';
import { CallView, IncomingCallDialog } from './call-view';
import { Header } from './header';
import { AppContext, ConnectionContext, useApp, useStore } from './hooks';
import { InviteContext, InviteJoin, useInviteState, usePendingInvite } from './invite';
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

export function OpenWCallApp({ inviteRoomId }: { inviteRoomId?: string } = {}) {
  const [app, setApp] = useState<AppClient | null>(null);
  const invite = useInviteState(inviteRoomId);
  useEffect(() => setApp(getAppClient()), []);
  if (!app) return <Loading label="Starting OpenWCall…" />;
  return (
    <AppContext.Provider value={app}>
      <InviteContext.Provider value={invite}>
        <Shell />
      </InviteContext.Provider>
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

function Shell() {
  const app = useApp();
  const session = useStore(app.session);
  const connection = useStore(app.connection);
  let body: React.ReactNode;
  if (session.status === 'loading') body = <Loading label="Signing you in…" />;
  else if (session.status === 'signed-out' || !connection) {
    body = <AuthScreen notice={session.status === 'signed-out' ? session.notice : undefined} />;
  } else {
    body = (
      <ConnectionContext.Provider value={connection}>
        <Header />
        <SignedIn />
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
  const invite = usePendingInvite();
  let view: React.ReactNode;
  if (call.phase === 'outgoing' || call.phase === 'active') view = <CallView />;
  else if (invite && room.phase !== 'in-room') view = <InviteJoin roomId={invite} />;
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

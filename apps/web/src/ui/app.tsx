'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { AppClient } from '../client/app-client';
import { readBrowserConfig } from '../config/runtime';
import { AccountPage } from './account-page';
import { AdminPage } from './admin-page';
import { AuthScreen } from './auth-screen';
import { CallView, IncomingCallDialog } from './call-view';
import { DeviceCheckDialog } from './device-check';
import { Header } from './header';
import { AppContext, ConnectionContext, useApp, useStore } from './hooks';
import { InviteContext, InviteJoin, useInviteState, usePendingInvite } from './invite';
import { InviteScreen, ResetScreen } from './link-screens';
import { Lobby } from './lobby';
import { NoticeList } from './notice-list';
import { OngoingBar } from './ongoing-bar';
import { pageHooks } from './page-hooks';
import { RoomView } from './room-view';

// One client for the page's whole life (React may mount the root twice in development).
let singleton: AppClient | null = null;

function getAppClient(): AppClient {
  if (!singleton) {
    singleton = new AppClient(readBrowserConfig(document));
    // Handles for diagnostics and browser tests (e.g. dropping the signaling connection).
    Object.assign(window, { __openwcall: pageHooks(singleton) });
  }
  return singleton;
}

/** Which page of the app the URL names; the app itself is the same on each. */
export type AppPage =
  | { readonly kind: 'home' }
  | { readonly kind: 'account' }
  | { readonly kind: 'admin' }
  | { readonly kind: 'invite'; readonly token: string }
  | { readonly kind: 'reset'; readonly token: string }
  /** A room's invite link, /r/<roomId> (ui/invite.tsx). */
  | { readonly kind: 'room'; readonly roomId: string };

const HOME: AppPage = { kind: 'home' };

export function OpenWCallApp({ page = HOME }: { page?: AppPage }) {
  const [app, setApp] = useState<AppClient | null>(null);
  const invite = useInviteState(page.kind === 'room' ? page.roomId : undefined);
  useEffect(() => setApp(getAppClient()), []);
  if (!app) return <Loading label="Starting OpenWCall…" />;
  return (
    <AppContext.Provider value={app}>
      <InviteContext.Provider value={invite}>
        <Shell page={page} />
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
        {page.kind === 'account' || page.kind === 'admin' ? <OngoingBar /> : null}
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

type View = 'loading' | 'lobby' | 'room' | 'invite' | 'calling' | 'call';

// Where focus lands when the view changes under it (the button that was pressed is gone):
// the new view's heading, or the Rooms heading when coming back from a room.
const LANDING: Record<View, string> = {
  loading: '',
  lobby: 'people-heading',
  room: 'room-heading',
  invite: 'invite-heading',
  calling: 'call-heading',
  call: 'call-heading',
};

/** The tab says what is going on, so a ringing call is noticed among other tabs. */
function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
  useEffect(
    () => () => {
      document.title = 'OpenWCall';
    },
    [],
  );
}

function focusLanding(id: string): void {
  const active = document.activeElement;
  // Someone's focus on a control that is still there (or in a dialog) is left alone.
  if (active && active !== document.body && active.isConnected) return;
  document.getElementById(id)?.focus();
}

function Conversation() {
  const app = useApp();
  const connection = useStore(app.connection);
  // biome-ignore lint/style/noNonNullAssertion: rendered only with a connection
  const conn = connection!;
  const room = useStore(conn.room);
  const call = useStore(conn.call);
  const signaling = useStore(conn.signaling);
  const tabs = useStore(conn.tabs);
  const check = useStore(conn.joinCheck);
  const invite = usePendingInvite();
  let kind: View;
  if (call.phase === 'outgoing') kind = 'calling';
  else if (call.phase === 'active') kind = 'call';
  // An invite link (/r/<roomId>) joins once signed in, and says on its page why it cannot.
  else if (invite && room.phase !== 'in-room') kind = 'invite';
  // While a join or create is pending the lobby stays, so a refusal (a bad room name, a locked
  // room) is shown where the person acted, with what they typed still there.
  else if (room.phase === 'in-room') kind = 'room';
  else if (
    (signaling.status === 'connecting' || signaling.status === 'authenticating') &&
    !signaling.user
  ) {
    kind = 'loading';
  } else kind = 'lobby';

  let title = 'OpenWCall';
  if (call.phase === 'incoming') title = `Incoming call — ${call.peer.displayName}`;
  else if (call.phase === 'outgoing') title = `Calling ${call.peer.displayName} · OpenWCall`;
  else if (call.phase === 'active') title = `Call with ${call.peer.displayName} · OpenWCall`;
  else if (room.room && kind === 'room') title = `${room.room.name} · OpenWCall`;
  useDocumentTitle(title);

  const previous = useRef<View | null>(null);
  useEffect(() => {
    const from = previous.current;
    previous.current = kind;
    if (from === kind || kind === 'loading') return;
    focusLanding(kind === 'lobby' && from === 'room' ? 'rooms-heading' : LANDING[kind]);
  }, [kind]);

  const view = {
    calling: <CallView />,
    call: <CallView />,
    room: <RoomView />,
    invite: invite ? <InviteJoin roomId={invite} /> : null,
    loading: <Loading label="Connecting to the server…" />,
    lobby: <Lobby />,
  }[kind];
  return (
    <>
      {tabs.elsewhere && call.phase === 'idle' && room.phase === 'idle' ? (
        <section className="card elsewhere" aria-label="Call in another tab">
          <p role="status">You are in a call in another tab.</p>
          <button type="button" className="button" onClick={() => conn.tabs.takeOver()}>
            Take over the call here
          </button>
        </section>
      ) : null}
      {view}
      {check.roomId !== null && call.phase !== 'incoming' ? <DeviceCheckDialog /> : null}
      {call.phase === 'incoming' ? <IncomingCallDialog /> : null}
    </>
  );
}

'use client';
import Link from 'next/link';
import { IncomingCallDialog } from './call-view';
import { useConnection, useStore } from './hooks';

/**
 * On the account and admin pages the conversation goes on (its sound is played by the
 * connection, not by the room view): this bar says so and leads back to it, and an incoming
 * call rings here too instead of being missed while someone changes their password.
 */
export function OngoingBar() {
  const connection = useConnection();
  const room = useStore(connection.room);
  const call = useStore(connection.call);
  let text: string | null = null;
  let action = 'Back to the room';
  // The same ringing dialog as on the main page: answered here, the bar then leads to it.
  if (call.phase === 'incoming') return <IncomingCallDialog />;
  if (call.phase === 'active' || call.phase === 'outgoing') {
    text =
      call.phase === 'active'
        ? `In a call with ${call.peer.displayName}.`
        : `Calling ${call.peer.displayName}…`;
    action = 'Back to the call';
  } else if (room.phase !== 'idle' && room.room) {
    text = `You are in ${room.room.name}.`;
  }
  if (text === null) return null;
  return (
    <section className="ongoing-bar" aria-label="Ongoing conversation" role="status">
      <span className="ongoing-dot" aria-hidden="true" />
      <span>{text}</span>
      <Link href="/" className="button primary small ongoing-back">
        {action}
      </Link>
    </section>
  );
}

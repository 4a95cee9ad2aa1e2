'use client';
import { useConnection, useStore } from './hooks';

/** Reads "Bob joined" / "Bob left" to screen readers (the cue sound plays alongside). */
export function RoomAnnouncer() {
  const connection = useConnection();
  const announcement = useStore(connection.cues);
  return (
    <p className="sr-only" role="status" aria-live="polite" aria-atomic="true">
      <span key={announcement.seq}>{announcement.text}</span>
    </p>
  );
}

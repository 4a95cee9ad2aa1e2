import type { Metadata } from 'next';
import { OpenWCallApp } from '../../../ui/app';

export const metadata: Metadata = { title: 'Join a room' };

// An invite link: the app signs in if needed, then joins this room (ui/invite.tsx).
export default async function InvitePage({ params }: { params: Promise<{ roomId: string }> }) {
  const { roomId } = await params;
  return <OpenWCallApp page={{ kind: 'room', roomId: decodeURIComponent(roomId) }} />;
}

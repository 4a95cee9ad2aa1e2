import type { Metadata } from 'next';
import { OpenWCallApp } from '../../../ui/app';

// The token is a password: no Referer carries it to anything the page loads.
export const metadata: Metadata = { title: 'Set a new password', referrer: 'no-referrer' };

export default async function ResetRoute({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <OpenWCallApp page={{ kind: 'reset', token }} />;
}

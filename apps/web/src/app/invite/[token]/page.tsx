import type { Metadata } from 'next';
import { OpenWCallApp } from '../../../ui/app';

export const metadata: Metadata = { title: 'Invitation', referrer: 'no-referrer' };

export default async function InviteRoute({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <OpenWCallApp page={{ kind: 'invite', token }} />;
}

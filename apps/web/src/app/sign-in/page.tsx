import type { Metadata } from 'next';
import { OpenWCallApp } from '../../ui/app';

export const metadata: Metadata = { title: 'Sign in' };

// The app decides what to show from the session; /sign-in is kept for old links.
export default function SignInPage() {
  return <OpenWCallApp />;
}

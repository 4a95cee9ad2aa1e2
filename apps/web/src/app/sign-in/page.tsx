import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Sign in' };

// Placeholder until the auth forms (POST /auth/login, /auth/register) land.
export default function SignInPage() {
  return (
    <main className="home">
      <h1>Sign in</h1>
      <p className="lead">Signing in is coming soon.</p>
      <Link href="/">Back home</Link>
    </main>
  );
}

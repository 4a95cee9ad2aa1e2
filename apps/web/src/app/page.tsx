import Link from 'next/link';

export default function HomePage() {
  return (
    <main className="home">
      <h1>OpenWCall</h1>
      <p className="lead">
        Self-hosted voice calls: rooms of up to six people and one-to-one calls, peer to peer.
      </p>
      <Link className="button" href="/sign-in">
        Sign in
      </Link>
    </main>
  );
}

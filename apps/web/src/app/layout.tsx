import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { META, readServerEnvConfig } from '../config/runtime';
import './globals.css';
import './voice.css';
import './chat.css';

export const metadata: Metadata = {
  title: { default: 'OpenWCall', template: '%s · OpenWCall' },
  description: 'Self-hosted voice calls: rooms of up to six and direct calls.',
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request, so one build serves any server URL (OPENWCALL_SERVER_URL at runtime).
  await connection();
  const config = readServerEnvConfig(process.env);
  return (
    <html lang="en">
      <head>
        <meta name={META.serverUrl} content={config.serverUrl} />
        {config.turn.url ? <meta name={META.turnUrl} content={config.turn.url} /> : null}
        {config.turn.username ? <meta name={META.turnUser} content={config.turn.username} /> : null}
        {config.turn.credential ? (
          <meta name={META.turnPass} content={config.turn.credential} />
        ) : null}
      </head>
      <body>{children}</body>
    </html>
  );
}

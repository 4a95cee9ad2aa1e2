import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SERVER_URL,
  META,
  readBrowserConfig,
  readServerEnvConfig,
  SAME_ORIGIN,
} from './runtime';

function doc(meta: Record<string, string>) {
  return {
    querySelector: (selector: string) => {
      const name = /name="([^"]+)"/.exec(selector)?.[1] ?? '';
      return name in meta ? { getAttribute: () => meta[name] ?? null } : null;
    },
  } as unknown as Document;
}

describe('runtime config', () => {
  it('reads the server URL and TURN settings rendered by the layout', () => {
    const config = readBrowserConfig(
      doc({ [META.serverUrl]: 'http://10.0.0.2:4100/', [META.turnUrl]: 'turn:t:3478' }),
    );
    expect(config.serverUrl).toBe('http://10.0.0.2:4100');
    expect(config.turn.url).toBe('turn:t:3478');
  });

  it('falls back to the default server URL', () => {
    expect(readBrowserConfig(doc({})).serverUrl).toBe(
      process.env.NEXT_PUBLIC_SERVER_URL || DEFAULT_SERVER_URL,
    );
  });

  it('same-origin resolves to the origin the page was opened on', () => {
    const config = readBrowserConfig(
      doc({ [META.serverUrl]: SAME_ORIGIN }),
      'https://voice.example.test',
    );
    expect(config.serverUrl).toBe('https://voice.example.test');
  });

  it('prefers the runtime environment on the server', () => {
    expect(
      readServerEnvConfig({ OPENWCALL_SERVER_URL: ' http://x:1 ', OPENWCALL_TURN_USER: 'u' }),
    ).toMatchObject({ serverUrl: 'http://x:1', turn: { username: 'u' } });
  });
});

import { describe, expect, it } from 'vitest';
import { splitLinks } from './links';

describe('splitLinks', () => {
  it('finds http and https links and leaves the rest as text', () => {
    expect(splitLinks('see https://example.test/a?b=1#c and http://x.test.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.test/a?b=1#c', href: 'https://example.test/a?b=1#c' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', text: 'http://x.test', href: 'http://x.test/' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('never links other schemes, and markup stays text', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:msgbox',
      'ftp://files.test/x',
      '<a href="https://evil.test">x</a> <img src=x onerror=alert(1)>',
    ]) {
      const parts = splitLinks(text);
      const links = parts.filter((p) => p.kind === 'link');
      expect(links.every((p) => /^https?:/.test(p.href))).toBe(true);
      expect(parts.map((p) => p.text).join('')).toBe(text);
    }
    expect(splitLinks('<b>x</b>')).toEqual([{ kind: 'text', text: '<b>x</b>' }]);
  });

  it('stops a link at quotes and angle brackets, and keeps text without links whole', () => {
    expect(splitLinks('"https://a.test/x"><script>')).toEqual([
      { kind: 'text', text: '"' },
      { kind: 'link', text: 'https://a.test/x', href: 'https://a.test/x' },
      { kind: 'text', text: '"><script>' },
    ]);
    expect(splitLinks('plain')).toEqual([{ kind: 'text', text: 'plain' }]);
    expect(splitLinks('http://')).toEqual([{ kind: 'text', text: 'http://' }]);
  });
});

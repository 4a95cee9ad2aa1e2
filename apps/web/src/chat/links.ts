export type TextPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly href: string };

const CANDIDATE = /https?:\/\/[^\s<>"'`]+/gi;
// Punctuation that ends a sentence more often than a URL ("see https://x.test/a.").
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * Splits a chat message into plain text and http(s) links, for rendering as text nodes and
 * anchors; nothing in it is ever markup. Anything that does not parse as an http(s) URL stays text.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let rest = 0;
  const push = (kind: 'text', value: string) => {
    if (value === '') return;
    const last = parts[parts.length - 1];
    if (last?.kind === kind) parts[parts.length - 1] = { kind, text: last.text + value };
    else parts.push({ kind, text: value });
  };
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const raw = match[0].replace(TRAILING, '');
    const href = httpUrl(raw);
    push('text', text.slice(rest, start));
    if (href) {
      parts.push({ kind: 'link', text: raw, href });
    } else {
      push('text', raw);
    }
    rest = start + raw.length;
  }
  push('text', text.slice(rest));
  return parts;
}

function httpUrl(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

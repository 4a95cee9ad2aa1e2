import type { BrowserContext, Page } from 'playwright-core';

/*
 * BENCH_TIMELINE=1: where a join's time goes, as a list of moments in the last joiner's page
 * (ms after the click): microphone, signaling messages out and in, each connection's
 * offer/answer steps, ICE and connection states. Recorded by wrapping the browser APIs before
 * the page's own code runs, so app and bare are timed by the same instrument.
 */

export const timelineOn = Boolean(process.env.BENCH_TIMELINE);

// Source text: tsx would wrap functions passed to addInitScript in a helper the page lacks.
const TIMELINE_SCRIPT = `(() => {
  const marks = [];
  window.__timeline = marks;
  const mark = (what) => marks.push([performance.now(), what]);
  let nextPc = 0;
  const wrap = (proto, name, label) => {
    const original = proto[name];
    if (!original) return;
    proto[name] = function (...args) {
      const tag = label(this, args);
      mark(tag + ' start');
      const result = original.apply(this, args);
      if (result && typeof result.then === 'function') {
        result.then(() => mark(tag + ' done'), () => mark(tag + ' failed'));
      }
      return result;
    };
  };
  const pcTag = (pc) => 'pc' + (pc.__tl ?? '?');
  const Pc = window.RTCPeerConnection.prototype;
  for (const name of ['createOffer', 'createAnswer']) wrap(Pc, name, (pc) => pcTag(pc) + ' ' + name);
  for (const name of ['setLocalDescription', 'setRemoteDescription']) {
    wrap(Pc, name, (pc, args) => pcTag(pc) + ' ' + name + (args[0] && args[0].type ? '(' + args[0].type + ')' : ''));
  }
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      const t = performance.now();
      super(...args);
      this.__tl = nextPc++;
      mark(pcTag(this) + ' created (' + (performance.now() - t).toFixed(1) + ' ms)');
      let candidates = 0;
      let added = 0;
      this.addEventListener('icecandidate', (e) => { if (e.candidate && candidates++ === 0) mark(pcTag(this) + ' first local candidate'); });
      const addIce = this.addIceCandidate.bind(this);
      this.addIceCandidate = (...a) => { if (added++ === 0) mark(pcTag(this) + ' first remote candidate'); return addIce(...a); };
      this.addEventListener('iceconnectionstatechange', () => mark(pcTag(this) + ' ice ' + this.iceConnectionState));
      this.addEventListener('connectionstatechange', () => mark(pcTag(this) + ' connection ' + this.connectionState));
      this.addEventListener('track', () => mark(pcTag(this) + ' track'));
    }
  };
  // Long animation frames (> 50 ms of main thread), with the scripts that ran in them.
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const scripts = (e.scripts || [])
          .filter((s) => s.duration >= 5)
          .map((s) => (s.invoker || s.name) + ' ' + s.duration.toFixed(0) + ' ms' + (s.forcedStyleAndLayoutDuration >= 1 ? ' (forced layout ' + s.forcedStyleAndLayoutDuration.toFixed(0) + ')' : '') + (s.sourceFunctionName ? ' ' + s.sourceFunctionName : '') + (s.sourceURL ? ' @' + s.sourceURL.split('/').pop() + ':' + s.sourceCharPosition : ''))
          .join('; ');
        marks.push([e.startTime, 'busy ' + e.duration.toFixed(0) + ' ms (script ' + ((e.scripts || []).reduce((a, s) => a + s.duration, 0)).toFixed(0) + ', style/layout ' + (e.styleAndLayoutStart ? (e.startTime + e.duration - e.styleAndLayoutStart).toFixed(0) : '?') + ') ' + scripts]);
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
  const media = navigator.mediaDevices;
  if (media) {
    const gum = media.getUserMedia.bind(media);
    media.getUserMedia = (...a) => { mark('getUserMedia start'); const p = gum(...a); p.then(() => mark('getUserMedia done'), () => {}); return p; };
  }
  // Socket.IO frames: 42["event",…] out and in (the app); fetch and SSE (the bare page).
  const event = (data) => {
    if (typeof data !== 'string') return null;
    const m = /^4[23]\\d*\\["([^"]+)"/.exec(data);
    return m ? m[1] : data.startsWith('43') ? 'ack' : null;
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const name = event(data);
    if (name) mark('ws out ' + name);
    if (!this.__tl) {
      this.__tl = true;
      this.addEventListener('message', (e) => { const n = event(e.data); if (n) mark('ws in ' + n); });
    }
    return send.call(this, data);
  };
  const fetchNative = window.fetch;
  window.fetch = (input, init) => { mark('fetch ' + String(input).replace(location.origin, '')); return fetchNative(input, init); };
  const Es = window.EventSource;
  if (Es) {
    window.EventSource = class extends Es {
      constructor(...a) { super(...a); this.addEventListener('message', (e) => { try { const d = JSON.parse(e.data); mark('sse in ' + (d.data && d.data.description ? d.data.description.type : d.data && d.data.candidate ? 'candidate' : d.type)); } catch {} }); }
    };
  }
})();`;

export async function addTimeline(context: BrowserContext): Promise<void> {
  if (timelineOn) await context.addInitScript(TIMELINE_SCRIPT);
}

/** The page's marks since `t0`, ms after it; repeated candidate messages folded into a count. */
export async function readTimeline(page: Page, t0: number): Promise<string[]> {
  const marks = (await page.evaluate(`(window.__timeline || []).filter(([t]) => t >= ${t0})`)) as [
    number,
    string,
  ][];
  marks.sort((a, b) => a[0] - b[0]);
  const lines: string[] = [];
  let last = '';
  let repeats = 0;
  const flush = () => {
    if (repeats > 0) lines.push(`        … ×${repeats + 1}`);
    repeats = 0;
  };
  for (const [t, what] of marks) {
    if (what === last && what.startsWith('ws ')) {
      repeats++;
      continue;
    }
    flush();
    last = what;
    lines.push(`  ${(t - t0).toFixed(0).padStart(6)} ms  ${what}`);
  }
  flush();
  return lines;
}

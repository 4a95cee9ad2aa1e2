import { chromium } from 'playwright-core';
const trial = process.argv[2] ?? '';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--use-fake-device-for-media-stream','--use-fake-ui-for-media-stream', ...(trial ? [`--force-fieldtrials=${trial}`] : [])] });
const page = await (await browser.newContext({ permissions: ['microphone'] })).newPage();
await page.goto('about:blank');
const out = await page.evaluate(async () => {
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const ctx = new AudioContext(); const osc = ctx.createOscillator(); const dst = ctx.createMediaStreamDestination(); osc.connect(dst); osc.start(); const s = dst.stream;
  a.addTrack(s.getTracks()[0], s);
  b.ontrack = (e) => { const el = new Audio(); el.srcObject = e.streams[0]; el.play(); };
  await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription);
  await new Promise((r) => setTimeout(r, 8000));
  const r = [];
  for (const pc of [a, b]) (await pc.getStats()).forEach((s) => {
    if (s.type === 'candidate-pair' && s.nominated) r.push(['pair', s.currentRoundTripTime]);
    if (s.type === 'inbound-rtp') r.push(['in', s.packetsLost, s.packetsReceived, s.jitter]);
    if (s.type === 'remote-inbound-rtp') r.push(['rin', s.roundTripTime, s.fractionLost, s.jitter]);
  });
  return r;
});
console.log(JSON.stringify(out));
await browser.close();

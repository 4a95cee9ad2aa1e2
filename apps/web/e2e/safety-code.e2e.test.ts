import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ManInTheMiddle } from './mitm/relay';
import {
  closeAll,
  expectAudioFlowing,
  newPage,
  type Person,
  poll,
  recordTiming,
  screenshot,
  signUp,
  skipReason,
  unique,
  useBrowser,
  webUrl,
} from './support';
import { meetInRoom, openOptions, startCall } from './voice-support';

const CODE = /^\d{4} \d{4} \d{4}$/;

function safetyCode(page: Page, name: string) {
  return page.getByRole('status', { name: `Safety code with ${name}` });
}

/** Waits until `person` shows a code (or gives up on one) for `other`; returns its text. */
async function shownCode(person: Person, other: Person): Promise<string> {
  return poll(
    async () => ((await safetyCode(person.page, other.name).textContent()) ?? '').trim(),
    (text) => CODE.test(text) || text === 'Could not verify',
    { what: `${person.name}'s safety code with ${other.name}` },
  );
}

async function hangUp(caller: Person, callee: Person) {
  await caller.page.getByRole('button', { name: 'Hang up' }).click();
  await caller.page.getByRole('heading', { name: 'People' }).waitFor();
  await callee.page.getByRole('heading', { name: 'People' }).waitFor();
}

/** `person` on another device: a new browser profile, signed in to the same account. */
async function onNewDevice(browser: Browser, person: Person): Promise<Person> {
  const { context, page } = await newPage(browser);
  await page.goto(webUrl);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'People' }).waitFor();
  return { ...person, context, page };
}

/** The certificates of `page`'s one open connection, as its DTLS session uses them. */
function dtlsOf(page: Page) {
  return page.evaluate(async () => {
    const pcs = window.__pcs;
    const pc = pcs.find((p) => p.connectionState === 'connected');
    if (!pc) throw new Error('no connected peer connection');
    const byId = new Map<
      string,
      {
        fingerprint?: string;
        localCertificateId?: string;
        remoteCertificateId?: string;
        type: string;
      }
    >();
    (await pc.getStats()).forEach((r: { id: string; type: string }) => {
      byId.set(r.id, r);
    });
    const transport = [...byId.values()].find((r) => r.type === 'transport');
    return {
      local: byId.get(transport?.localCertificateId ?? '')?.fingerprint,
      remote: byId.get(transport?.remoteCertificateId ?? '')?.fingerprint,
    };
  });
}

describe.skipIf(skipReason !== '')('safety codes', () => {
  const browser = useBrowser();
  const people: Person[] = [];
  afterAll(async () => {
    await closeAll(people);
  });

  it('shows both the same code, the same again in the next call, and "new device" after a new browser', async () => {
    const [ada, ben] = await Promise.all([signUp(browser(), 'Ada'), signUp(browser(), 'Ben')]);
    people.push(ada, ben);

    const t0 = Date.now();
    await startCall(ada, ben);
    const first = await shownCode(ada, ben);
    recordTiming('safety-code', { acceptToCodeMs: Date.now() - t0 });
    expect(first).toMatch(CODE);
    expect(await shownCode(ben, ada)).toBe(first);
    await ada.page.getByText('Compare this code with Ben by voice.').waitFor();
    // On a 375 px phone the code, its note and its explanation fit across the screen.
    await ada.page.setViewportSize({ width: 375, height: 740 });
    for (const part of [
      safetyCode(ada.page, 'Ben'),
      ada.page.getByText('Compare this code with Ben by voice.'),
    ]) {
      const box = await part.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true);
    }
    await screenshot(ada.page, 'safety-code-375.png');
    // First contact: nothing to compare the certificate with.
    expect(await ada.page.getByText('New device', { exact: true }).count()).toBe(0);
    await hangUp(ada, ben);

    // Same browsers, the other way round: the device certificates came from IndexedDB.
    await startCall(ben, ada);
    expect(await shownCode(ben, ada)).toBe(first);
    expect(await shownCode(ada, ben)).toBe(first);
    expect(await ben.page.getByText('New device', { exact: true }).count()).toBe(0);
    expect(await ada.page.getByText('New device', { exact: true }).count()).toBe(0);
    await hangUp(ben, ada);

    // Ben moves to a new browser profile: a new certificate, which Ada is told about.
    await ben.context.close();
    const benAgain = await onNewDevice(browser(), ben);
    people.push(benAgain);
    await startCall(ada, benAgain);
    const third = await shownCode(ada, benAgain);
    expect(third).toMatch(CODE);
    expect(await shownCode(benAgain, ada)).toBe(third);
    await ada.page.getByText('New device', { exact: true }).waitFor();
    expect(await benAgain.page.getByText('New device', { exact: true }).count()).toBe(0);
    await hangUp(ada, benAgain);
  });

  it('shows the code in a room under Options for <name>', async () => {
    const [gus, hana] = await Promise.all([signUp(browser(), 'Gus'), signUp(browser(), 'Hana')]);
    people.push(gus, hana);
    await meetInRoom(gus, [hana], unique('Verify'));
    await openOptions(gus.page, 'Hana');
    await openOptions(hana.page, 'Gus');
    const code = await shownCode(gus, hana);
    expect(code).toMatch(CODE);
    expect(await shownCode(hana, gus)).toBe(code);
  });

  it('leaves a man in the middle with two different codes, and says "new device" to both, while the audio it relays flows', async () => {
    const [cleo, dan] = await Promise.all([signUp(browser(), 'Cleo'), signUp(browser(), 'Dan')]);
    people.push(cleo, dan);
    // An honest call first: each remembers the other's certificate.
    await startCall(cleo, dan);
    expect(await shownCode(dan, cleo)).toBe(await shownCode(cleo, dan));
    await hangUp(cleo, dan);

    const mitm = await ManInTheMiddle.start(browser(), webUrl, 'handshake');
    try {
      await mitm.intercept(cleo);
      await startCall(cleo, dan);
      const cleoSees = await shownCode(cleo, dan);
      const danSees = await shownCode(dan, cleo);
      const why = async () =>
        JSON.stringify({
          cleo: await safetyCode(cleo.page, 'Dan').getAttribute('title'),
          dan: await safetyCode(dan.page, 'Cleo').getAttribute('title'),
          attacker: await mitm.state(),
          errors: mitm.errors.map(String),
        });
      expect(cleoSees, await why()).toMatch(CODE);
      expect(danSees, await why()).toMatch(CODE);
      expect(cleoSees).not.toBe(danSees);
      // Each code is the one the attacker agreed on that side.
      const { results } = await mitm.state();
      expect(results.near).toMatchObject({ ok: true, code: cleoSees });
      expect(results.far).toMatchObject({ ok: true, code: danSees });
      await cleo.page.getByText('New device', { exact: true }).waitFor();
      await dan.page.getByText('New device', { exact: true }).waitFor();

      // The attack itself works: neither DTLS session reaches the other person, yet both hear.
      const [atCleo, atDan] = await Promise.all([dtlsOf(cleo.page), dtlsOf(dan.page)]);
      expect(atCleo.remote).not.toBe(atDan.local);
      expect(atDan.remote).not.toBe(atCleo.local);
      await Promise.all([expectAudioFlowing(cleo.page, 1), expectAudioFlowing(dan.page, 1)]);
      const before = await mitm.state();
      await poll(
        () => mitm.state(),
        (now) =>
          now.near.bytesReceived > before.near.bytesReceived &&
          now.far.bytesReceived > before.far.bytesReceived,
        { what: 'audio arriving at the attacker from both sides' },
      );
      expect(mitm.errors).toEqual([]);
      await hangUp(cleo, dan);
    } finally {
      await mitm.page.context().close();
    }
  });

  it('shows "Could not verify" on both sides when the man in the middle passes the handshake through', async () => {
    const [eli, fay] = await Promise.all([signUp(browser(), 'Eli'), signUp(browser(), 'Fay')]);
    people.push(eli, fay);
    const mitm = await ManInTheMiddle.start(browser(), webUrl, 'relay');
    try {
      await mitm.intercept(eli);
      await startCall(eli, fay);
      expect(await shownCode(eli, fay)).toBe('Could not verify');
      expect(await shownCode(fay, eli)).toBe('Could not verify');
      await fay.page.getByText('someone may be listening in', { exact: false }).waitFor();
      await expectAudioFlowing(fay.page, 1);
      expect(mitm.errors).toEqual([]);
      await hangUp(eli, fay);
    } finally {
      await mitm.page.context().close();
    }
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callButton,
  closeAll,
  expectAudioFlowing,
  type Person,
  recordTiming,
  signUp,
  skipReason,
  useBrowser,
  waitConnected,
  waitFirstAudio,
  webUrl,
} from './support';

function incomingDialog(page: Page, caller: string) {
  return page.getByRole('dialog', { name: new RegExp(caller) });
}

describe.skipIf(skipReason !== '')('direct calls', () => {
  // Registered first, so its afterAll runs last (hooks run as a stack).
  const browser = useBrowser();
  let eve: Person;
  let finn: Person;
  beforeAll(async () => {
    [eve, finn] = await Promise.all([signUp(browser(), 'Eve'), signUp(browser(), 'Finn')]);
  });
  afterAll(async () => {
    await closeAll([eve, finn].filter(Boolean));
  });

  it('rings every tab of the callee, connects both ways on accept, and hangs up', async () => {
    // Finn has a second tab (same browser profile: it signs in from the refresh cookie).
    const finnTab2 = await finn.context.newPage();
    await finnTab2.goto(webUrl);
    await finnTab2.getByRole('heading', { name: 'People' }).waitFor();

    await callButton(eve.page, finn).click();
    await eve.page.getByText('Calling…').waitFor();
    await eve.page.getByRole('button', { name: 'Cancel' }).waitFor();
    await incomingDialog(finn.page, 'Eve').waitFor();
    await incomingDialog(finnTab2, 'Eve').waitFor();

    const t0 = Date.now();
    await incomingDialog(finn.page, 'Eve').getByRole('button', { name: 'Accept' }).click();
    // The other tab stops ringing.
    await incomingDialog(finnTab2, 'Eve').waitFor({ state: 'detached' });
    await waitConnected(eve.page, 1);
    const connectedMs = Date.now() - t0;
    await waitFirstAudio(eve.page, 1);
    recordTiming('direct-call', {
      acceptToConnectedMs: connectedMs,
      acceptToFirstAudioMs: Date.now() - t0,
    });
    await waitConnected(finn.page, 1);
    await expectAudioFlowing(eve.page, 1);
    await expectAudioFlowing(finn.page, 1);
    await eve.page.getByRole('button', { name: 'Hang up' }).waitFor();
    await eve.page.getByTestId('call-duration').waitFor();
    expect(await eve.page.getByTestId('call-duration').textContent()).toMatch(/^\d+:\d\d$/);

    await eve.page.getByRole('button', { name: 'Hang up' }).click();
    await eve.page.getByRole('heading', { name: 'People' }).waitFor();
    await finn.page.getByRole('heading', { name: 'People' }).waitFor();
    await finn.page.getByText('ended', { exact: false }).first().waitFor();
    // The history lists the answered call.
    await eve.page.getByText('Outgoing · Answered').first().waitFor();
    await finnTab2.close();
  });

  it('shows a decline to the caller', async () => {
    await callButton(eve.page, finn).click();
    await incomingDialog(finn.page, 'Eve').getByRole('button', { name: 'Decline' }).click();
    await eve.page.getByText('Finn declined the call.').waitFor();
    await eve.page.getByRole('heading', { name: 'People' }).waitFor();
    await incomingDialog(finn.page, 'Eve').waitFor({ state: 'detached' });
  });

  it('keeps Tab inside the incoming-call dialog and declines on Escape', async () => {
    await callButton(eve.page, finn).click();
    const dialog = incomingDialog(finn.page, 'Eve');
    await dialog.getByRole('button', { name: 'Accept' }).waitFor();
    const focused = () =>
      finn.page.evaluate(() => {
        const active = document.activeElement;
        return active?.closest('[role="dialog"]') ? (active.textContent ?? '') : 'outside';
      });
    expect(await focused()).toBe('Accept');
    const seen: string[] = [];
    for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
      await finn.page.keyboard.press(key);
      seen.push(await focused());
    }
    expect(seen).toEqual(['Decline', 'Accept', 'Decline', 'Accept', 'Decline']);
    await finn.page.keyboard.press('Escape');
    await eve.page.getByText('Finn declined the call.').waitFor();
    await dialog.waitFor({ state: 'detached' });
  });

  it('stops the callee ringing when the caller cancels', async () => {
    await callButton(eve.page, finn).click();
    await incomingDialog(finn.page, 'Eve').waitFor();
    await eve.page.getByRole('button', { name: 'Cancel' }).click();
    await incomingDialog(finn.page, 'Eve').waitFor({ state: 'detached' });
    // Worded as the history records it ("Cancelled"), not as a missed call.
    await finn.page.getByText('Eve cancelled the call.', { exact: true }).waitFor();
    expect(await finn.page.getByText('(missed call)').count()).toBe(0);
    await eve.page.getByRole('heading', { name: 'People' }).waitFor();
  });

  it('tells the caller when the callee is busy', async () => {
    await finn.page.getByLabel('Status').selectOption('busy');
    await eve.page.getByText('Busy', { exact: true }).first().waitFor();
    await callButton(eve.page, finn).click();
    await eve.page.getByRole('alert').getByText('busy', { exact: false }).waitFor();
    await eve.page.getByRole('heading', { name: 'People' }).waitFor();
    await finn.page.getByLabel('Status').selectOption('online');
  });
});

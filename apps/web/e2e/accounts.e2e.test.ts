// Issue 11: who may sign up, accounts an admin manages, and a person's own account page.
// Issue 8 item 9: a page whose login the server ended goes to the sign-in screen and says why.
// Issue 10: sign-up shows the server's field-level message next to the field.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppPair, repoRoot, startAppPair, tempDir } from './deploy-harness';
import { E2E_ADMIN } from './global-setup';
import {
  newPage,
  type Person,
  recordTiming,
  screenshot,
  signUp,
  skipReason,
  unique,
  useBrowser,
  webUrl,
} from './support';

const serverUrl = inject('serverUrl');

/** The ADMIN_EMAILS account of the shared e2e server, created once for this file. */
async function ensureAdminAccount(): Promise<void> {
  const response = await fetch(`${serverUrl}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: E2E_ADMIN.email,
      password: E2E_ADMIN.password,
      displayName: E2E_ADMIN.name,
    }),
  });
  if (response.ok || response.status === 409) return;
  throw new Error(`could not create the e2e admin: ${response.status} ${await response.text()}`);
}

async function signIn(page: Page, email: string, password: string, url = webUrl): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The admin, signed in and looking at /admin (reached through the header's Admin link). */
async function openAdmin(browser: Browser): Promise<Page> {
  const { page } = await newPage(browser);
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  await page.getByRole('heading', { name: 'People' }).waitFor();
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await page.getByRole('heading', { name: 'Users' }).waitFor();
  return page;
}

describe.skipIf(skipReason !== '')('accounts and admin', () => {
  const browser = useBrowser();
  const people: Person[] = [];
  const pages: Page[] = [];

  beforeAll(async () => {
    await ensureAdminAccount();
  });
  afterAll(async () => {
    await Promise.all([
      ...people.map((p) => p.context.close().catch(() => {})),
      ...pages.map((p) =>
        p
          .context()
          .close()
          .catch(() => {}),
      ),
    ]);
  });

  it('admin disables a signed-in user: their page goes to the sign-in screen saying so, and they cannot sign in; enabled again, they can', async () => {
    const erin = await signUp(browser(), unique('Erin'));
    people.push(erin);
    const admin = await openAdmin(browser());
    pages.push(admin);

    const started = Date.now();
    await admin.getByRole('button', { name: `Disable ${erin.name}`, exact: true }).click();
    await erin.page.getByText('This account has been disabled by an admin.').first().waitFor();
    recordTiming('disable closes the session', { clickToNoticeMs: Date.now() - started });
    await erin.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await admin.getByRole('button', { name: `Enable ${erin.name}`, exact: true }).waitFor();

    await erin.page.getByLabel('Email').fill(erin.email);
    await erin.page.getByLabel('Password').fill(erin.password);
    await erin.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await erin.page
      .getByRole('alert')
      .filter({ hasText: 'This account has been disabled by an admin.' })
      .waitFor();

    await admin.getByRole('button', { name: `Enable ${erin.name}`, exact: true }).click();
    await admin.getByRole('button', { name: `Disable ${erin.name}`, exact: true }).waitFor();
    await erin.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await erin.page.getByRole('heading', { name: 'People' }).waitFor();
  });

  it('a reset link lets the person set a new password and sign in with it; the old one and the used link stop working', async () => {
    const rob = await signUp(browser(), unique('Rob'));
    people.push(rob);
    await rob.context.close();
    const admin = await openAdmin(browser());
    pages.push(admin);
    await admin
      .getByRole('button', { name: `Reset password for ${rob.name}`, exact: true })
      .click();
    const link = admin.getByRole('textbox', { name: `Password reset link for ${rob.name}` });
    await link.waitFor();
    const url = await link.inputValue();
    expect(url).toMatch(/\/reset\/[^/]+$/);

    const { page } = await newPage(browser());
    pages.push(page);
    await page.goto(url);
    await page.getByText(`For ${rob.name}.`).waitFor();
    await page.getByLabel('New password').fill('a brand new password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'Your password has been changed' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();

    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.getByLabel('Email').fill(rob.email);
    await page.getByLabel('Password').fill(rob.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    await page.getByLabel('Password').fill('a brand new password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'People' }).waitFor();

    await page.goto(url);
    await page.getByRole('heading', { name: 'This reset link cannot be used' }).waitFor();
  });

  it('account page: rename, change the password (the old one required), sign out one device, and "Sign out everywhere" signs out another browser of the same person', async () => {
    const ann = await signUp(browser(), unique('Ann'));
    people.push(ann);
    const { page: laptop } = await newPage(browser());
    pages.push(laptop);
    await signIn(laptop, ann.email, ann.password);
    await laptop.getByRole('heading', { name: 'People' }).waitFor();

    const page = ann.page;
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByRole('heading', { name: 'Signed-in devices' }).waitFor();
    await page.getByText('This device').waitFor();
    await page.setViewportSize({ width: 375, height: 812 });
    await screenshot(page, 'account-375.png');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);

    const newName = unique('Annie');
    await page.getByRole('textbox', { name: 'Display name' }).fill(newName);
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByText(`Others see you as ${newName}.`).waitFor();
    // At 375 px the header keeps the name for screen readers only.
    await page.locator('.me-name').filter({ hasText: newName }).waitFor({ state: 'attached' });

    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password').fill('second password 2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'The current password is wrong.' }).waitFor();
    await page.getByLabel('Current password').fill(ann.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();

    // Changing the password signed the laptop out; sign it in again with the new one.
    await laptop.getByText('You were signed out').first().waitFor();
    await laptop.getByLabel('Email').fill(ann.email);
    await laptop.getByLabel('Password').fill('second password 2');
    await laptop.getByRole('button', { name: 'Sign in', exact: true }).click();
    await laptop.getByRole('heading', { name: 'People' }).waitFor();
    await laptop.getByText(newName, { exact: true }).first().waitFor();

    // The devices list signs out one other device: the laptop, not this page.
    await page.reload();
    await page.getByText('This device').waitFor();
    await page.getByRole('button', { name: /^Sign out .*, last used/ }).click();
    await laptop.getByText('You were signed out').first().waitFor();
    await page
      .getByRole('button', { name: /^Sign out .*, last used/ })
      .waitFor({ state: 'detached' });
    await laptop.getByLabel('Email').fill(ann.email);
    await laptop.getByLabel('Password').fill('second password 2');
    await laptop.getByRole('button', { name: 'Sign in', exact: true }).click();
    await laptop.getByRole('heading', { name: 'People' }).waitFor();

    const started = Date.now();
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await laptop.getByText('You were signed out').first().waitFor();
    recordTiming('sign out everywhere', { clickToOtherSignedOutMs: Date.now() - started });
    await laptop.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    // Both stay signed out after a reload: the logins are gone on the server, not just here.
    await laptop.reload();
    await laptop.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  });

  it('sign-up shows the server field error next to the field (issue 10)', async () => {
    const { page } = await newPage(browser());
    pages.push(page);
    await page.goto(webUrl);
    await page.getByRole('button', { name: 'Register a new account' }).click();
    await page.getByLabel('Email').fill(`${unique('blank')}@example.test`);
    await page.getByLabel('Display name').fill('   ');
    await page.getByLabel('Password').fill('long enough password');
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    const error = page.getByRole('alert').filter({ hasText: 'Display name: must not be empty' });
    await error.waitFor();
    const field = page.getByRole('textbox', { name: 'Display name' });
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
    expect(describedBy.split(' ')).toContain(await error.getAttribute('id'));
    expect(await page.getByText('That request was not accepted').count()).toBe(0);
  });

  it('a non-admin has no Admin link and the admin page says it is for admins', async () => {
    const bo = await signUp(browser(), unique('Bo'));
    people.push(bo);
    await bo.page.getByRole('link', { name: 'Account', exact: true }).waitFor();
    expect(await bo.page.getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);
    await bo.page.goto(`${webUrl}/admin`);
    await bo.page
      .getByRole('alert')
      .filter({ hasText: 'Only admins can open this page.' })
      .waitFor();
  });
});

/** The server's admin command line, as an operator runs it before the first start. */
function adminCli(env: Record<string, string>, ...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'src/admin/cli.ts', ...args], {
    cwd: join(repoRoot, 'apps/server'),
    // Never the CI's DATABASE_URL: the server under test reads only its own DATA_DIR (this
    // leak put the admin in CI's PostgreSQL, so the browser's sign-in found nobody).
    env: { ...process.env, DATABASE_URL: '', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe.skipIf(skipReason !== '')('an invite-only server', () => {
  const browser = useBrowser();
  let app: AppPair | undefined;
  let dir: { path: string; remove(): void } | undefined;
  const admin = { email: 'owner@example.test', password: 'owner password 1', name: 'Owner' };

  beforeAll(async () => {
    dir = tempDir('accounts');
    // The embedded database, so the command line can make the first admin before the server
    // holds it: on an invite-only server nobody can sign up without an admin's link.
    const DATA_DIR = join(dir.path, 'pglite');
    adminCli(
      { DATA_DIR, NODE_ENV: 'test' },
      'create-user',
      '--email',
      admin.email,
      '--name',
      admin.name,
      '--password',
      admin.password,
      '--admin',
    );
    app = await startAppPair({ serverEnv: { REGISTRATION: 'invite', DATA_DIR } });
  });
  afterAll(() => {
    app?.stop();
    dir?.remove();
  });

  it('the sign-in screen says an invitation is needed and offers no open sign-up', async () => {
    if (!app) throw new Error('no app');
    const { context, page } = await newPage(browser());
    try {
      await page.goto(app.webUrl);
      await page.getByText('An invitation is needed to sign up').waitFor();
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'Register a new account' }).count()).toBe(0);
      expect(await page.getByLabel('Display name').count()).toBe(0);
      await screenshot(page, 'sign-in-invite-only.png');

      // An invitation link that does not exist says so instead of showing the form.
      await page.goto(`${app.webUrl}/invite/not-a-real-token`);
      await page.getByRole('heading', { name: 'This invitation cannot be used' }).waitFor();
      await page.getByText('This invitation link is unknown.').waitFor();
    } finally {
      await context.close();
    }
  });

  it('the admin creates a single-use invite link; a new person signs up with it in another browser and lands signed in; then the link is used up', async () => {
    if (!app) throw new Error('no app');
    const contexts: BrowserContext[] = [];
    try {
      const { context: adminContext, page: adminPage } = await newPage(browser());
      contexts.push(adminContext);
      await signIn(adminPage, admin.email, admin.password, app.webUrl);
      await adminPage.getByRole('heading', { name: 'People' }).waitFor();
      await adminPage.getByRole('link', { name: 'Admin', exact: true }).click();
      await adminPage.getByRole('heading', { name: 'Invitations' }).waitFor();
      await adminPage.getByRole('button', { name: 'Create invite link' }).click();
      const link = adminPage.getByRole('textbox', { name: 'New invite link' });
      await link.waitFor();
      const url = await link.inputValue();
      expect(url.startsWith(`${app.webUrl}/invite/`)).toBe(true);
      await screenshot(adminPage, 'admin.png');

      const { context: guestContext, page: guest } = await newPage(browser());
      contexts.push(guestContext);
      const name = unique('Ivy');
      const started = Date.now();
      await guest.goto(url);
      await guest.getByRole('heading', { name: 'You are invited' }).waitFor();
      await guest.getByLabel('Email').fill(`${name.toLowerCase()}@example.test`);
      await guest.getByLabel('Display name').fill(name);
      await guest.getByLabel('Password').fill('invited password 1');
      await guest.getByRole('button', { name: 'Create account', exact: true }).click();
      await guest.getByRole('heading', { name: 'People' }).waitFor();
      await guest.getByText(name, { exact: true }).first().waitFor();
      // The address becomes the app's (a client-side replace, so wait for it).
      await guest.waitForURL((u) => u.pathname === '/');
      recordTiming('invite sign-up', { openToLobbyMs: Date.now() - started });

      // Single use: the next person opening the same link is told why it cannot be used.
      const { context: lateContext, page: late } = await newPage(browser());
      contexts.push(lateContext);
      await late.goto(url);
      await late.getByRole('heading', { name: 'This invitation cannot be used' }).waitFor();
      await late.getByText('This invitation link has been used up.').waitFor();
      expect(await late.getByLabel('Email').count()).toBe(0);

      // The admin page lists it as used up and the sign-up in the audit log's words.
      await adminPage.reload();
      await adminPage.getByText('Used up').first().waitFor();
      await adminPage.getByText(`${admin.name} created an invitation`).first().waitFor();
    } finally {
      await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    }
  });
});

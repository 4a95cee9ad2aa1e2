import { describe, expect, it } from 'vitest';
import { newPage, signUp, skipReason, useBrowser, webUrl } from './support';

describe.skipIf(skipReason !== '')('accounts', () => {
  const browser = useBrowser();

  it('signs up, stays signed in across a reload, signs out and signs in; a bad password is refused', async () => {
    const { context: firstContext, page: signInPage } = await newPage(browser());
    await signInPage.goto(webUrl);
    await signInPage.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await firstContext.close();

    const person = await signUp(browser(), 'Dana');
    const { page } = person;
    await page.getByText('Dana', { exact: true }).first().waitFor();

    // The refresh cookie restores the session after a reload.
    await page.reload();
    await page.getByRole('heading', { name: 'People' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

    // Signed out stays signed out after a reload.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const error = page.getByRole('alert').filter({ hasText: 'Wrong email or password' });
    await error.waitFor();
    expect(await error.first().textContent()).toContain('Wrong email or password');

    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'People' }).waitFor();
    await person.context.close();
  });
});

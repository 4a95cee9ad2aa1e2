// Issue 10: opening the app on an address the server's WEB_ORIGIN does not list (here localhost,
// while the e2e server allows 127.0.0.1) used to say "Cannot reach the server".
import { describe, it } from 'vitest';
import { newPage, skipReason, useBrowser, webUrl } from './support';

describe.skipIf(skipReason !== '')('an origin the server does not allow', () => {
  const browser = useBrowser();

  it('says the server refused this page address and names WEB_ORIGIN', async () => {
    const { context, page } = await newPage(browser());
    try {
      const wrongOrigin = webUrl.replace('127.0.0.1', 'localhost');
      await page.goto(wrongOrigin);
      // Said on opening the page, before anyone types a password in vain.
      await page
        .locator('.inline-notice')
        .getByText(`refused this page's address (${wrongOrigin})`)
        .waitFor();
      await page.getByLabel('Email').fill('alice@example.com');
      await page.getByLabel('Password').fill('whatever-password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText(`refused this page's address (${wrongOrigin})`).first().waitFor();
      await page
        .getByText(/add .* to the server's WEB_ORIGIN/)
        .first()
        .waitFor();
    } finally {
      await context.close();
    }
  });
});

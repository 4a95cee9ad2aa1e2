import { describe, expect, it } from 'vitest';
import { newPage, skipReason, useBrowser, webUrl } from './support';

describe.skipIf(skipReason !== '')('looks', () => {
  const browser = useBrowser();

  it('keeps a coloured button coloured while hovered', async () => {
    const { context, page } = await newPage(browser());
    await page.goto(webUrl);
    const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
    await signIn.waitFor();
    const colours = () =>
      signIn.evaluate((element) => {
        const style = getComputedStyle(element);
        return { background: style.backgroundColor, color: style.color };
      });
    const before = await colours();
    await signIn.hover();
    // The hover transition lasts 0.15 s; read the settled colour.
    await page.waitForTimeout(300);
    const hovered = await colours();
    expect(hovered.color).toBe(before.color);
    const channels = (css: string) => (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const distance = channels(before.background).reduce(
      (sum, value, index) => sum + Math.abs(value - (channels(hovered.background)[index] ?? 0)),
      0,
    );
    // A slight shade is fine; turning grey is a jump of well over 100 across the channels.
    expect(distance).toBeLessThan(60);
    await context.close();
  });
});

import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, TARO } from '../support/demo-accounts.js';
import { useServiceFixture } from '../support/fixture.js';
import { useChromium, watchProblems } from './chromium.js';

const OUTPUT = new URL('../../test-output/screenshots/', import.meta.url).pathname;

/**
 * A person's path through the service in a real Chromium: sign in at the emulator, read the
 * inbox, page, open mail, switch language, sign out; sign in again and disconnect. Any console
 * error, uncaught page error or CSP violation fails the test.
 */
describe('in a real browser', () => {
  const sut = useServiceFixture({ listen: true });
  const chromium = useChromium();
  let page: Page;
  let base: string;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    base = sut.url();
    sut.clock.reset();
    const context = await chromium.browser.newContext({
      viewport: { width: 1100, height: 900 },
      locale: 'en-US',
    });
    await watchProblems(context, problems);
    page = await context.newPage();
  }, 60_000);

  const shot = (name: string) => page.screenshot({ path: `${OUTPUT}${name}.png`, fullPage: true });
  const signInAtEmulator = async () => {
    await page.getByLabel('Email').fill(TARO);
    await page.getByLabel('Password').fill(PASSWORD);
    await shot('02-emulator-login');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    await shot('03-emulator-consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${base}/home`);
  };

  it('should take a person from the landing page through their mail and out again', async () => {
    await page.goto(`${base}/`);
    await shot('01-landing');
    await page.getByRole('link', { name: 'Connect to Gmail' }).click();
    await signInAtEmulator();
    await expect.poll(() => page.locator('#unread-count').textContent()).toBe('63 unread in Inbox');
    expect(await page.locator('li.message').count()).toBe(50);
    await expect.poll(() => page.getByText(`Signed in as ${TARO}`).count()).toBe(1);
    await shot('04-inbox');

    await page.getByRole('link', { name: 'Older', exact: true }).click();
    await expect.poll(() => page.getByText('Showing 51–63').count()).toBe(1);
    await shot('05-inbox-older');
    await page.getByRole('link', { name: 'Newer', exact: true }).click();
    await expect.poll(() => page.getByText('Showing 1–50').count()).toBe(1);

    await page.getByRole('link', { name: '来週の会議について (ISO-2022-JP)' }).click();
    await expect
      .poll(() => page.locator('#message-body').textContent())
      .toContain('来週の会議は水曜日の午後3時からです。');
    await shot('06-message-japanese');
    await page.getByRole('link', { name: 'Back to the inbox' }).click();

    await page.getByRole('link', { name: 'Winter sale: 50% off (HTML mail)' }).click();
    await expect.poll(() => page.locator('#message-body b').first().textContent()).toBe('50% off');
    expect(
      await page.locator('#message-body script, #message-body iframe, #message-body form').count(),
    ).toBe(0);
    await shot('07-message-html');
    await page.getByRole('link', { name: 'Plain-text view' }).click();
    await expect.poll(() => page.locator('pre#message-body').count()).toBe(1);

    await page.getByRole('link', { name: '日本語' }).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ja');
    await page.goto(`${base}/home`);
    await expect
      .poll(() => page.locator('#unread-count').textContent())
      .toBe('受信トレイの未読 63 件');
    await shot('08-inbox-japanese');
    await page.getByRole('link', { name: 'アカウント' }).click();
    await expect.poll(() => page.locator('#sessions > li').count()).toBe(1);
    await shot('08b-account-japanese');
    await page.getByRole('button', { name: 'ログアウト', exact: true }).first().click();
    await page.waitForURL(`${base}/`);
    await shot('09-signed-out');
    await page.getByRole('link', { name: 'English' }).click();

    await page.goto(`${base}/home`);
    expect(page.url()).toBe(`${base}/`);
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'revoke')).toHaveLength(0);

    // Google remembers the consent of this account: back in without a consent screen.
    const pagesShown = () =>
      sut.emulator.requests.filter((r) => r.endpoint === 'interaction').length;
    const shownBefore = pagesShown();
    await page.getByRole('link', { name: 'Connect to Gmail' }).click();
    await page.waitForURL(`${base}/home`);
    expect(pagesShown()).toBe(shownBefore);
    await page.getByRole('button', { name: 'Disconnect Gmail' }).click();
    await page.waitForURL(`${base}/`);
    expect(sut.emulator.requests.filter((r) => r.endpoint === 'revoke')).toHaveLength(1);
    await shot('10-disconnected');

    expect(problems).toEqual([]);
  }, 90_000);
});

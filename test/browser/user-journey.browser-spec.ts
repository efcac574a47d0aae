import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoogleEmulator } from '../../emulator/index.js';
import { freePort } from '../support/redis-server.js';
import { CLIENT_ID, CLIENT_SECRET, startApp, type TestApp } from '../support/test-app.js';
import { launchChromium, watchProblems } from './chromium.js';

const OUTPUT = new URL('../../test-output/screenshots/', import.meta.url).pathname;
const TARO = 'taro.yamada@gmail.com';

/**
 * A person's path through the service in a real Chromium: sign in at the emulator, read the
 * inbox, page, open mail, switch language, sign out; sign in again and disconnect. Any console
 * error, uncaught page error or CSP violation fails the test.
 */
describe('in a real browser', () => {
  let emulator: GoogleEmulator;
  let testApp: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    emulator = await GoogleEmulator.start({
      clients: [
        { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${base}/callback`] },
      ],
    });
    testApp = await startApp(emulator, {
      GOOGLE_REDIRECT_URI: `${base}/callback`,
      PORT: String(port),
    });
    testApp.clock.reset();
    await testApp.app.listen(port, '127.0.0.1');
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1100, height: 900 },
      locale: 'en-US',
    });
    await watchProblems(context, problems);
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await testApp?.close();
    await emulator?.stop();
  });

  const shot = (name: string) => page.screenshot({ path: `${OUTPUT}${name}.png`, fullPage: true });
  const signInAtEmulator = async () => {
    await page.getByLabel('Email').fill(TARO);
    await page.getByLabel('Password').fill('demo');
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
    await expect.poll(() => page.locator('#unread-count').textContent()).toBe('63 unread');
    expect(await page.locator('li.message').count()).toBe(50);
    await expect.poll(() => page.getByText('Signed in as taro.yamada@gmail.com').count()).toBe(1);
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
    await expect.poll(() => page.locator('#unread-count').textContent()).toBe('未読 63 件');
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
    expect(emulator.requests.filter((r) => r.endpoint === 'revoke')).toHaveLength(0);

    // Google remembers the consent of this account: back in without a consent screen.
    const pagesShown = () => emulator.requests.filter((r) => r.endpoint === 'interaction').length;
    const shownBefore = pagesShown();
    await page.getByRole('link', { name: 'Connect to Gmail' }).click();
    await page.waitForURL(`${base}/home`);
    expect(pagesShown()).toBe(shownBefore);
    await page.getByRole('button', { name: 'Disconnect Gmail' }).click();
    await page.waitForURL(`${base}/`);
    expect(emulator.requests.filter((r) => r.endpoint === 'revoke')).toHaveLength(1);
    await shot('10-disconnected');

    expect(problems).toEqual([]);
  }, 90_000);
});

import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, TARO } from '../support/demo-accounts.js';
import { useServiceFixture } from '../support/fixture.js';
import { describeResults, runAxe, WCAG_21_AA } from './audit.js';
import { useChromium, watchProblems } from './chromium.js';

const SOON = { timeout: 15_000 };

/**
 * Acting on mail in a real Chromium, by keyboard alone: the first action goes to Google's
 * consent for gmail.modify and comes back done; then rows leave and come back in place
 * (public/mail-actions.js over /api), the undo stays reachable, every control has a name, and
 * axe finds nothing in en and ja. Any console error, page error or CSP violation fails.
 */
describe('acting on mail in a real browser', () => {
  const sut = useServiceFixture({ listen: true, env: { LIVE_POLL_SECONDS: '3600' } });
  const chromium = useChromium();
  const problems: string[] = [];
  const contexts: { close(): Promise<void> }[] = [];

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    // The API's 403 scope_missing before gmail.modify is granted is the page's cue, not a fault.
    const expected = /status of 403 .*\/api\/messages\/(bulk|[0-9a-f]+\/(read|unread|archive))\)$/;
    expect(problems.splice(0).filter((problem) => !expected.test(problem))).toEqual([]);
  });

  async function signedIn(locale: 'en' | 'ja'): Promise<Page> {
    const context = await chromium.browser.newContext({
      viewport: { width: 1100, height: 900 },
      locale: locale === 'ja' ? 'ja-JP' : 'en-US',
    });
    contexts.push(context);
    await watchProblems(context, problems);
    const page = await context.newPage();
    await page.goto(`${sut.url()}/oauth`);
    await page.getByLabel('Email').fill(TARO);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    const allow = page.getByRole('button', { name: 'Allow' });
    const home = page.waitForURL(`${sut.url()}/home`);
    await Promise.race([allow.waitFor(), home]);
    if (page.url().startsWith(sut.emulator.issuer)) await allow.press('Enter');
    await home;
    return page;
  }

  /** Presses Tab until the focused element has `name` (its accessible text); fails past 150. */
  async function tabTo(page: Page, name: string | RegExp) {
    for (let presses = 0; presses < 150; presses++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const element = document.activeElement;
        const label = element?.id
          ? document.querySelector(`label[for="${element.id}"]`)?.textContent
          : undefined;
        const named = element?.getAttribute('aria-label') ?? label ?? element?.textContent;
        return (named ?? '').replace(/\s+/g, ' ').trim();
      });
      if (typeof name === 'string' ? focused === name : name.test(focused)) return;
    }
    throw new Error(`no Tab stop named ${String(name)}`);
  }

  /** Presses Shift+Tab until the focused element's text is `name`; fails past 150. */
  async function shiftTabTo(page: Page, name: string) {
    for (let presses = 0; presses < 150; presses++) {
      await page.keyboard.press('Shift+Tab');
      const text = await page.evaluate(() => document.activeElement?.textContent?.trim());
      if (text === name) return;
    }
    throw new Error(`no Tab stop named ${name} before`);
  }

  async function axeProblems(page: Page) {
    const results = await runAxe(page, WCAG_21_AA);
    expect(results.passes.length).toBeGreaterThan(10);
    return describeResults(results.violations);
  }

  it('should do, show and undo actions by keyboard alone, asking for gmail.modify once', async () => {
    const page = await signedIn('en');
    const [first, second, third] = sut.emulator.inboxUnread(TARO);
    const subjectOf = async (id: string) =>
      (await page.locator(`li[data-id="${id}"] .subject`).textContent())!.trim();
    const firstSubject = await subjectOf(first);

    // Every row's checkbox is labelled by its subject, and every control is a Tab stop.
    await expect(
      page.getByRole('checkbox', { name: `Select: ${firstSubject}` }).count(),
    ).resolves.toBe(1);
    expect(await page.getByRole('checkbox', { name: /^Select: ./ }).count()).toBe(50);
    expect(await page.getByRole('button', { name: /^Mark as read: ./ }).count()).toBe(50);
    expect(await page.getByRole('button', { name: /^Archive: ./ }).count()).toBe(50);
    expect(await page.getByRole('button', { name: 'Archive all on this page' }).count()).toBe(1);

    // The first action, on two selected rows: Google's consent for gmail.modify (the script
    // gets 403 scope_missing and posts the form, selection and all), then back with it done.
    const secondSubject = await subjectOf(second);
    await tabTo(page, `Select: ${firstSubject}`);
    await page.keyboard.press('Space');
    await tabTo(page, `Select: ${secondSubject}`);
    await page.keyboard.press('Space');
    await shiftTabTo(page, 'Archive selected');
    await page.keyboard.press('Enter');
    const allow = page.getByRole('button', { name: 'Allow' });
    await allow.waitFor(SOON);
    await allow.press('Enter');
    await page.waitForURL(`${sut.url()}/home`);
    await expect(page.locator('.action-status-text').textContent()).resolves.toBe(
      '2 messages archived.',
    );
    expect(sut.emulator.inboxUnread(TARO)).not.toContain(first);
    expect(sut.emulator.inboxUnread(TARO)).not.toContain(second);

    // In place now, through /api: the page is not reloaded, no form is posted.
    const posted: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posted.push(new URL(request.url()).pathname);
    });
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const thirdSubject = await subjectOf(third);
    await tabTo(page, `Mark as read: ${thirdSubject}`);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('.action-status-text').textContent(), SOON)
      .toBe('1 message marked as read.');
    expect(await page.locator(`li[data-id="${third}"]`).count()).toBe(0);
    expect(sut.emulator.inboxUnread(TARO)).not.toContain(third);
    // Focus went with the row: it is on Undo now, which stays (no time limit).
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Undo');
    await page.waitForTimeout(1_000);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('.action-status-text').textContent(), SOON)
      .toBe('Undone.');
    const order = await page
      .locator('.messages > li')
      .evaluateAll((rows) => rows.slice(0, 1).map((row) => (row as HTMLElement).dataset.id));
    expect(order).toEqual([third]);
    expect(sut.emulator.inboxUnread(TARO)[0]).toBe(third);
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(
      true,
    );
    // Selected rows, in place too (the bulk buttons are the form's controls named "action").
    const fourth = sut.emulator.inboxUnread(TARO)[1];
    await tabTo(page, `Select: ${await subjectOf(fourth)}`);
    await page.keyboard.press('Space');
    await shiftTabTo(page, 'Archive selected');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('.action-status-text').textContent(), SOON)
      .toBe('1 message archived.');
    expect(await page.locator(`li[data-id="${fourth}"]`).count()).toBe(0);
    await page.getByRole('button', { name: 'Undo' }).press('Enter');
    await expect
      .poll(() => page.locator('.action-status-text').textContent(), SOON)
      .toBe('Undone.');
    expect(await page.locator(`li[data-id="${fourth}"]`).count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(
      true,
    );
    expect(posted).toEqual([
      `/api/messages/${third}/read`,
      '/api/messages/undo',
      '/api/messages/bulk',
      '/api/messages/undo',
    ]);
    expect(await axeProblems(page)).toEqual([]);
  });

  it('should be clean for axe in Japanese, on the inbox with a status line and on the message page', async () => {
    const page = await signedIn('ja');
    const [id] = sut.emulator.inboxUnread(TARO);
    await page.goto(`${sut.url()}/messages/${id}`);
    expect(await page.getByRole('button', { name: '既読にする' }).count()).toBe(1);
    expect(await axeProblems(page)).toEqual([]);
    await page.goto(`${sut.url()}/home`);
    expect(await page.getByRole('button', { name: 'このページをすべてアーカイブ' }).count()).toBe(
      1,
    );
    expect(await axeProblems(page)).toEqual([]);
  });
});

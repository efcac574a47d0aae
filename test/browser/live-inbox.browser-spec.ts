import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, TARO } from '../support/demo-accounts.js';
import { useServiceFixture } from '../support/fixture.js';
import { describeResults, runAxe, WCAG_21_AA } from './audit.js';
import { useChromium, watchProblems } from './chromium.js';

const SCREENSHOTS = new URL('../../test-output/screenshots/live/', import.meta.url).pathname;
const EVENTS = '/home/events';
/** The first page of the inbox. */
const PAGE_SIZE = 50;
/** The service polls Gmail every second here: an event is on the page well within this. */
const SOON = { timeout: 15_000 };
type Locale = 'en' | 'ja';
const TEXT = {
  en: {
    base: 'Unread in Inbox · Gmail Unread',
    count: (n: number) => `${n} unread in Inbox`,
    show: (n: number) => `${n} new message${n === 1 ? '' : 's'} – show`,
    announced: (n: number) => `${n} new message${n === 1 ? '' : 's'}`,
    shown: 'All new messages are shown',
    signedOut: 'You were signed out: sign in again',
    signOut: 'Sign out',
  },
  ja: {
    base: '受信トレイの未読 · Gmail 未読メール',
    count: (n: number) => `受信トレイの未読 ${n} 件`,
    show: (n: number) => `新着メッセージ ${n} 件を表示`,
    announced: (n: number) => `新着メッセージ ${n} 件`,
    shown: '新着メッセージをすべて表示しました',
    signedOut: 'ログアウトされました。もう一度ログインしてください',
    signOut: 'ログアウト',
  },
};

/** A browser profile: its tabs, what went wrong in them, and the streams they asked for. */
interface Profile {
  context: BrowserContext;
  problems: string[];
  /** GET /home/events requests, and how many were answered 200 (an open stream). */
  streams: string[];
  opened: number;
}

/**
 * The live first page of the inbox (public/live-inbox.js over GET /home/events) in a real
 * Chromium: new mail is offered behind a button and announced once, mail read elsewhere leaves,
 * count and title follow, the tabs of a browser share one stream, the page stops on sign-out
 * and comes back after a restart, focus never moves, and axe finds nothing in en and ja.
 * Any console error, page error or CSP violation fails the test that caused it.
 */
describe('the live inbox in a real browser', () => {
  // Sessions in Redis survive the restart of the service (the reconnection test).
  const live = useLiveInbox({ redis: 'single' });
  const { openInbox, anotherTab, deliver, firstPage, unread } = live;

  beforeAll(() => {
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  it('should offer a message delivered at Google without a reload, and show it on request', async () => {
    const { profile, page } = await openInbox();
    await recordAnnouncements(page);
    const before = unread();
    expect(await page.title()).toBe(`(${before}) ${TEXT.en.base}`);
    expect(await offer(page)).toBe('');

    const id = deliver('Arrived while you were reading');
    await expect.poll(() => offer(page), SOON).toBe('1 new message – show');
    // Not pushed in under the reader's pointer: it waits behind the button.
    expect(await page.locator(`li.message[data-id="${id}"]`).count()).toBe(0);
    expect(await page.locator('#unread-count').innerText()).toBe(`${before + 1} unread in Inbox`);
    expect(await page.title()).toBe(`(${before + 1}) ${TEXT.en.base}`);
    await expect.poll(() => announcements(page), SOON).toEqual(['1 new message']);

    await showButton(page).click();
    expect(await rowIds(page)).toEqual(firstPage());
    expect(firstPage()[0]).toBe(id);
    expect(await page.locator('li.message a.subject').first().innerText()).toBe(
      'Arrived while you were reading',
    );
    expect(await page.locator('#inbox-range').innerText()).toBe(`Showing 1–${PAGE_SIZE}`);
    // The clicked button keeps focus, its work done; it goes when focus leaves it.
    expect(await focused(page)).toBe('live-show');
    expect(await showButton(page).getAttribute('aria-disabled')).toBe('true');
    expect(await offer(page)).toBe(TEXT.en.shown);
    await page.locator('h1').click();
    await expect.poll(() => offer(page), SOON).toBe('');

    // Said once: later polls of the unchanged inbox say nothing more.
    await page.waitForTimeout(2500);
    expect(await announcements(page)).toEqual(['1 new message']);
    expect(profile.problems).toEqual([]);
  });

  it('should take away a message read elsewhere, and move the next one up quietly', async () => {
    const { profile, page } = await openInbox();
    await recordAnnouncements(page);
    const read = firstPage()[2];
    const before = unread();

    live.sut.emulator.markRead(TARO, read);
    await expect.poll(() => page.locator(`li.message[data-id="${read}"]`).count(), SOON).toBe(0);
    // The first message of the next page moves up: older mail, neither offered nor announced.
    expect(await rowIds(page)).toEqual(firstPage());
    expect(await page.locator('#unread-count').innerText()).toBe(`${before - 1} unread in Inbox`);
    expect(await page.title()).toBe(`(${before - 1}) ${TEXT.en.base}`);
    expect(await offer(page)).toBe('');
    expect(await announcements(page)).toEqual([]);
    expect(profile.problems).toEqual([]);
  });

  it('should hold one stream for all the tabs of a browser, and update every tab', async () => {
    const { profile, page: first } = await openInbox();
    const second = await anotherTab(profile);
    await recordAnnouncements(second);

    const id = deliver('Seen in both tabs');
    for (const page of [first, second])
      await expect.poll(() => offer(page), SOON).toBe('1 new message – show');
    await expect.poll(() => announcements(second), SOON).toEqual(['1 new message']);
    await showButton(second).click();
    expect(await rowIds(second)).toEqual(firstPage());
    // Each tab shows its new rows when its reader asks.
    expect((await rowIds(first))[0]).not.toBe(id);
    expect(profile.streams).toHaveLength(1);

    // The tab with the stream closes: the other takes it over, from where its page is.
    await first.close();
    await expect.poll(() => profile.opened, SOON).toBe(2);
    expect(profile.streams).toHaveLength(2);
    live.sut.emulator.markRead(TARO, id);
    await expect.poll(() => second.locator(`li.message[data-id="${id}"]`).count(), SOON).toBe(0);
    expect(await rowIds(second)).toEqual(firstPage());
    expect(profile.problems).toEqual([]);
  });

  it('should let the stream go from a tab hidden for a minute to a tab in view', async () => {
    const { profile, page: hidden } = await openInbox();
    const seen = await anotherTab(profile);
    await profile.context.clock.install();

    await setHidden(hidden, true);
    await profile.context.clock.fastForward(50_000);
    expect(profile.opened).toBe(1);
    await profile.context.clock.fastForward(11_000);
    await expect.poll(() => profile.opened, SOON).toBe(2);
    // The hidden tab still follows, from the tab that holds the stream now.
    deliver('While a tab was hidden');
    for (const page of [hidden, seen])
      await expect.poll(() => offer(page), SOON).toBe('1 new message – show');

    // Back in view, it waits for the lock again: it takes the stream when the other tab closes.
    await setHidden(hidden, false);
    await seen.close();
    await expect.poll(() => profile.opened, SOON).toBe(3);
    const read = firstPage()[1];
    live.sut.emulator.markRead(TARO, read);
    await expect.poll(() => hidden.locator(`li[data-id="${read}"]`).count(), SOON).toBe(0);
    expect(profile.problems).toEqual([]);
  });

  it('should say so when the reader signs out in another tab, and stop', async () => {
    const { profile, page: reading } = await openInbox();
    const other = await anotherTab(profile);
    await recordAnnouncements(reading);

    await other.getByRole('button', { name: 'Sign out', exact: true }).click();
    await other.waitForURL(`${live.sut.url()}/`);
    const notice = reading.locator('#live-signed-out');
    await expect.poll(() => notice.isVisible(), SOON).toBe(true);
    expect(await notice.innerText()).toBe(TEXT.en.signedOut);
    expect(await notice.getByRole('link').getAttribute('href')).toBe('/');
    await expect.poll(() => announcements(reading), SOON).toEqual([TEXT.en.signedOut]);
    // Stopped for good: no stream asked for again, even when mail comes.
    deliver('After the sign-out');
    await reading.waitForTimeout(3000);
    expect(profile.streams).toHaveLength(1);
    expect(await offer(reading)).toBe('');
    expect(profile.problems).toEqual([]);
  });

  it('should say so in every tab when the tab with the stream signs out', async () => {
    const { profile, page: holder } = await openInbox();
    const reading = await anotherTab(profile);

    await holder.getByRole('button', { name: 'Sign out', exact: true }).click();
    await holder.waitForURL(`${live.sut.url()}/`);
    await expect.poll(() => reading.locator('#live-signed-out').isVisible(), SOON).toBe(true);
    await reading.waitForTimeout(3000);
    // Told by the tab that held the stream (`end`), or refused when it took the stream over.
    expect(profile.streams.length).toBeLessThanOrEqual(2);
    expect(profile.problems.filter((problem) => !refused(problem, 401))).toEqual([]);
  });

  it('should find out why when its stream is refused, coming back into view signed out', async () => {
    const { profile, page } = await openInbox();
    await profile.context.clock.install();
    await setHidden(page, true);
    await profile.context.clock.fastForward(61_000);
    // No stream now: ending every session of the account elsewhere reaches none of this tab.
    const { page: elsewhere } = await openInbox();
    await elsewhere.getByRole('button', { name: 'Sign out everywhere' }).click();
    await elsewhere.waitForURL(`${live.sut.url()}/`);

    await setHidden(page, false);
    await expect.poll(() => page.locator('#live-signed-out').isVisible(), SOON).toBe(true);
    // Refused (401), asked HEAD /home/events why (401), and stopped.
    await page.waitForTimeout(3000);
    expect(profile.streams).toHaveLength(2);
    expect(profile.problems.filter((problem) => !refused(problem, 401))).toEqual([]);
  });

  it('should come back by itself after the service restarts', async () => {
    const { profile, page } = await openInbox();

    await live.sut.restart();
    deliver('After the restart');
    // The stream ends with `shutdown`; the page comes back after 1-2 s, or later if it reached
    // the stopping instance again (then the backoff grows: 2-4 s, 4-8 s...).
    await expect.poll(() => offer(page), { timeout: 40_000 }).toBe('1 new message – show');
    expect(profile.streams.length).toBeLessThanOrEqual(5);
    await showButton(page).click();
    expect(await rowIds(page)).toEqual(firstPage());
    // While the service was down, Chromium logged the refused connections: the stream's, and
    // any other the page happened to make then (its favicon, fetched lazily).
    const downMeanwhile = (problem: string) =>
      refused(problem) || problem.includes('net::ERR_CONNECTION_REFUSED');
    expect(profile.problems.filter((problem) => !downMeanwhile(problem))).toEqual([]);
  });

  for (const locale of ['en', 'ja'] as const) {
    it(`should pass axe (WCAG 2.1 AA) with the button and the notice shown, in ${locale}`, async () => {
      const { profile, page } = await openInbox(locale);
      const text = TEXT[locale];
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);

      await recordAnnouncements(page);
      // Delivered together: one event, one announcement.
      deliver(`Axe ${locale} 1`);
      deliver(`Axe ${locale} 2`);
      await expect.poll(() => offer(page), SOON).toBe(text.show(2));
      await expect.poll(() => announcements(page), SOON).toEqual([text.announced(2)]);
      expect(await page.locator('#unread-count').innerText()).toBe(text.count(unread()));
      expect(await page.title()).toBe(`(${unread()}) ${text.base}`);
      expect(await axeFindings(page)).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOTS}${locale}-offer.png` });

      await showButton(page).click();
      expect(await offer(page)).toBe(text.shown);
      expect(await axeFindings(page)).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOTS}${locale}-shown.png` });

      const other = await anotherTab(profile);
      await other.getByRole('button', { name: text.signOut, exact: true }).click();
      await other.waitForURL(`${live.sut.url()}/`);
      await expect.poll(() => page.locator('#live-signed-out').isVisible(), SOON).toBe(true);
      expect(await page.locator('#live-signed-out').innerText()).toBe(text.signedOut);
      expect(await axeFindings(page)).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOTS}${locale}-signed-out.png` });
      await page.setViewportSize({ width: 320, height: 640 });
      await page.screenshot({ path: `${SCREENSHOTS}${locale}-signed-out-320px.png` });
      expect(profile.problems).toEqual([]);
    });
  }

  it('should let a keyboard reach the button and show the rows, and never move focus', async () => {
    const { profile, page } = await openInbox();
    for (let i = 0; i < 20 && !(await focused(page)).endsWith(' subject'); i++)
      await page.keyboard.press('Tab');
    const reading = firstPage()[0];
    expect(await focused(page)).toBe(`${reading} subject`);

    const first = deliver('Reached by keyboard');
    await expect.poll(() => offer(page), SOON).toBe('1 new message – show');
    expect(await focused(page)).toBe(`${reading} subject`);
    // The button comes just before the list (the first row's checkbox comes before its subject).
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe(`${reading} `);
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('live-show');
    await page.keyboard.press('Enter');
    expect((await rowIds(page))[0]).toBe(first);
    expect(await focused(page)).toBe('live-show');
    expect(await offer(page)).toBe(TEXT.en.shown);

    // Mail that comes while the button has focus: offered on the same button, Space shows it.
    const second = deliver('Shown with Space');
    await expect.poll(() => offer(page), SOON).toBe('1 new message – show');
    expect(await focused(page)).toBe('live-show');
    await page.keyboard.press('Space');
    expect((await rowIds(page)).slice(0, 2)).toEqual([second, first]);
    expect(await focused(page)).toBe('live-show');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe(`${second} subject`);
    await expect.poll(() => offer(page), SOON).toBe('');

    // Read elsewhere while focus is in its row: the row stays until focus leaves it.
    const before = unread();
    live.sut.emulator.markRead(TARO, second);
    await expect
      .poll(() => page.locator('#unread-count').innerText(), SOON)
      .toBe(`${before - 1} unread in Inbox`);
    expect(await page.locator(`li.message-left[data-id="${second}"]`).count()).toBe(1);
    expect(await focused(page)).toBe(`${second} subject`);
    // Its actions, Mark as read and Archive, then the link to Gmail.
    for (const stop of ['button button-quiet', 'button button-quiet', 'gmail-link']) {
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe(`${second} ${stop}`);
    }
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe(`${first} subject`);
    await expect.poll(() => page.locator(`li[data-id="${second}"]`).count(), SOON).toBe(0);
    expect(await rowIds(page)).toEqual(firstPage());
    expect(profile.problems).toEqual([]);
  });
});

describe('the live inbox of an account with more streams than it may hold', () => {
  const live = useLiveInbox({ env: { LIVE_MAX_STREAMS_PER_ACCOUNT: '1' } });

  it('should stop quietly in the browser whose stream another browser replaced', async () => {
    const { profile: replaced, page } = await live.openInbox();
    // Streams are replaced oldest first, by the service's clock.
    live.sut.clock.advance(1_000);
    const { profile: other, page: newer } = await live.openInbox();

    const note = page.locator('#live-stopped');
    await expect.poll(() => note.isVisible(), SOON).toBe(true);
    expect(await note.innerText()).toBe(
      'Live updates stopped in this tab: reload the page to see new mail.',
    );
    expect(await page.locator('#live-signed-out').isVisible()).toBe(false);
    live.deliver('Only for the newer browser');
    await expect.poll(() => offer(newer), SOON).toBe('1 new message – show');
    // The replaced browser does not take the stream back.
    await page.waitForTimeout(2500);
    expect(replaced.streams).toHaveLength(1);
    expect(await offer(page)).toBe('');
    expect(other.streams).toHaveLength(1);
    expect([...replaced.problems, ...other.problems]).toEqual([]);
  });
});

/** The service (one instance, polling Gmail every second), a Chromium, and browser profiles. */
function useLiveInbox({ redis, env = {} }: { redis?: 'single'; env?: Record<string, string> }) {
  const sut = useServiceFixture({
    listen: true,
    redis,
    env: { LIVE_POLL_SECONDS: '1', ...env },
  });
  const chromium = useChromium();
  const profiles: Profile[] = [];

  afterEach(async () => {
    for (const profile of profiles.splice(0)) await profile.context.close();
  });

  const newProfile = async (locale: Locale): Promise<Profile> => {
    const context = await chromium.browser.newContext({
      viewport: { width: 1100, height: 900 },
      locale: locale === 'ja' ? 'ja-JP' : 'en-US',
    });
    const profile: Profile = { context, problems: [], streams: [], opened: 0 };
    profiles.push(profile);
    await watchProblems(context, profile.problems);
    context.on('request', (request) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname === EVENTS)
        profile.streams.push(request.url());
    });
    context.on('response', (response) => {
      const { pathname } = new URL(response.url());
      if (response.request().method() === 'GET' && pathname === EVENTS && response.status() === 200)
        profile.opened++;
    });
    return profile;
  };

  /** Signs in at the emulator's pages; Google asks for consent only the first time. */
  const signIn = async (page: Page) => {
    await page.goto(`${sut.url()}/oauth`);
    await page.getByLabel('Email').fill(TARO);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Next' }).click();
    const allow = page.getByRole('button', { name: 'Allow' });
    const home = page.waitForURL(`${sut.url()}/home`);
    await Promise.race([allow.waitFor(), home]);
    if (page.url().startsWith(sut.emulator.issuer)) await allow.click();
    await home;
    await scriptRunning(page);
  };

  return {
    sut,
    /** A new profile's tab, signed in, on the inbox, its stream open. */
    async openInbox(locale: Locale = 'en') {
      const profile = await newProfile(locale);
      const page = await profile.context.newPage();
      await signIn(page);
      await expect.poll(() => profile.opened, SOON).toBe(1);
      return { profile, page };
    },
    /** Another tab of the profile on the inbox, its script started. */
    async anotherTab(profile: Profile) {
      const page = await profile.context.newPage();
      await page.goto(`${sut.url()}/home`);
      await scriptRunning(page);
      return page;
    },
    deliver: (subject: string) =>
      sut.emulator.addMessage(TARO, { from: '"Live Sender" <live@example.com>', subject }),
    firstPage: () => sut.emulator.inboxUnread(TARO).slice(0, PAGE_SIZE),
    unread: () => sut.emulator.inboxUnread(TARO).length,
  };
}

/** The script puts the count in the title as it starts. */
function scriptRunning(page: Page) {
  return expect.poll(() => page.title(), SOON).toMatch(/^\(\d+\) /);
}

/** What a page sees when its tab goes out of view and back (headless tabs never do). */
function setHidden(page: Page, hidden: boolean) {
  return page.evaluate((value) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (value ? 'hidden' : 'visible'),
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

function rowIds(page: Page) {
  return page
    .locator('ul.messages > li.message')
    .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.id));
}

function showButton(page: Page) {
  return page.locator('#live-show');
}

/** The button's text while it is shown, '' while it is hidden. */
async function offer(page: Page) {
  return (await showButton(page).isVisible()) ? showButton(page).innerText() : '';
}

/** What has focus: its id, or its row's id and its class. */
function focused(page: Page) {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    const row = element?.closest<HTMLElement>('li.message');
    if (row) return `${row.dataset.id} ${element!.className}`;
    return element?.id || element?.tagName.toLowerCase() || '';
  });
}

/** Keeps every text the live region takes (but the blank between two), for announcements(). */
function recordAnnouncements(page: Page) {
  return page.evaluate(() => {
    const region = document.getElementById('live-announcer')!;
    const said: string[] = [];
    (window as unknown as { said: string[] }).said = said;
    new MutationObserver(() => {
      if (region.textContent) said.push(region.textContent);
    }).observe(region, { childList: true, characterData: true, subtree: true });
  });
}

function announcements(page: Page) {
  return page.evaluate(() => (window as unknown as { said: string[] }).said);
}

async function axeFindings(page: Page) {
  const results = await runAxe(page, WCAG_21_AA);
  // A run that checked nothing (axe not loaded, no rule matched the tags) must not pass.
  expect(results.passes.length).toBeGreaterThan(10);
  return describeResults(results.violations);
}

/**
 * What Chromium logs by itself for a refused request to /home/events: an answer with `status`,
 * or (no status) a connection the service was not there to take.
 */
function refused(problem: string, status?: number): boolean {
  if (!problem.includes(EVENTS)) return false;
  return status === undefined
    ? /ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|status of 50\d/.test(problem)
    : problem.includes(`status of ${status}`);
}

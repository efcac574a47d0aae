import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY, PASSWORD, TARO } from '../support/demo-accounts.js';
import { useServiceFixture } from '../support/fixture.js';
import { freePort } from '../support/redis-server.js';
import { TEST_SESSION_SECRET } from '../support/test-app.js';
import {
  describeResults,
  languageSwitchProblems,
  reflowProblems,
  runAxe,
  skipLinkProblems,
  type TabStop,
  walkTabOrder,
  WCAG_21_AA,
} from './audit.js';
import { useChromium, watchProblems } from './chromium.js';

const OUTPUT = new URL('../../test-output/', import.meta.url).pathname;
/** A Redis that never answers: nothing listens on its port. */
const UNREACHABLE_REDIS = `redis://127.0.0.1:${await freePort()}`;
const LOCALES = ['en', 'ja'] as const;
type Locale = (typeof LOCALES)[number];

interface Site {
  base: string;
}

/**
 * Every page a person can reach, in English and Japanese, checked in a real Chromium: axe-core's
 * WCAG 2.1 A and AA rules, and what axe cannot see (skip link, visible focus on every control,
 * Tab order, reflow at 320 CSS px, 200% zoom, the language switch). Any console error, page
 * error or CSP violation fails the test too.
 */
describe('accessibility (WCAG 2.1 AA) in a real browser', () => {
  const sut = useServiceFixture({
    listen: true,
    instances: [
      {},
      { env: { ALLOWED_DOMAINS: 'example.co.jp', RATE_LIMIT_SIGNIN_PER_MINUTE: '4' } },
      // Every session write fails.
      { env: { REDIS_URL: UNREACHABLE_REDIS, REDIS_COMMAND_TIMEOUT_MS: '300' } },
    ],
  });
  const chromium = useChromium();
  const site = (index: number): Site => ({
    get base() {
      return sut.url(index);
    },
  });
  /** The ordinary service; one admitting only example.co.jp, with a tight sign-in rate limit; one whose Redis is down. */
  const [open, restricted, onRedis] = [site(0), site(1), site(2)];
  const consoleProblems: string[] = [];
  /** Documents served with an error status on purpose: Chromium logs each as a console error. */
  const errorDocuments = new Set<string>();
  /** Best-practice findings (not WCAG requirements), per rule: written to test-output/. */
  const bestPractice = new Map<string, Set<string>>();
  const contexts: BrowserContext[] = [];

  beforeAll(() => {
    mkdirSync(`${OUTPUT}screenshots/a11y`, { recursive: true });
  });

  afterAll(() => {
    writeFileSync(
      `${OUTPUT}a11y-best-practice.json`,
      JSON.stringify(Object.fromEntries([...bestPractice].map(([k, v]) => [k, [...v]])), null, 2),
    );
  });

  /** A fresh browser profile (its own cookies, its own emulator session) reading in `locale`. */
  const newPage = async (locale: Locale): Promise<Page> => {
    const context = await chromium.browser.newContext({
      viewport: { width: 1100, height: 900 },
      locale: locale === 'ja' ? 'ja-JP' : 'en-US',
    });
    contexts.push(context);
    await watchProblems(context, consoleProblems);
    context.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.status() >= 400)
        errorDocuments.add(
          `error: Failed to load resource: the server responded with a status of ${response.status()} (${response.statusText()}) (${response.url()})`,
        );
    });
    return context.newPage();
  };

  /**
   * Everything this suite checks on the page now shown; returns what is wrong, each finding
   * prefixed with `name`. Takes a full-page screenshot for a person to look at.
   */
  const inspect = async (
    page: Page,
    name: string,
    locale: Locale,
    { languageSwitch = true } = {},
  ): Promise<string[]> => {
    const found: string[] = [];
    const lang = await page.locator('html').getAttribute('lang');
    if (lang !== locale) found.push(`html lang is "${lang}"`);
    const wcag = await runAxe(page, WCAG_21_AA);
    // A run that checked nothing (axe not loaded, no rule matched the tags) must not pass.
    if (wcag.passes.length < 10) found.push(`axe passed only ${wcag.passes.length} rules`);
    found.push(...describeResults(wcag.violations));
    const practice = await runAxe(page, ['best-practice']);
    if (practice.passes.length === 0) found.push('axe ran no best-practice rule');
    for (const finding of describeResults(practice.violations)) {
      const [rule] = finding.split(' ');
      bestPractice.set(rule, (bestPractice.get(rule) ?? new Set()).add(`${name}: ${finding}`));
    }
    stopsOf.set(name, await walkTabOrder(page));
    const stops = stopsOf.get(name)!;
    for (const stop of stops) {
      if (!stop.focusVisible)
        found.push(`no visible focus on ${stop.label} (${stop.focusedStyle})`);
      if (!stop.visible) found.push(`${stop.label} is off screen when focused`);
    }
    found.push(...readingOrderProblems(stops));
    found.push(...(await skipLinkProblems(page, stops)));
    if (languageSwitch) found.push(...(await languageSwitchProblems(page)));
    found.push(
      ...(await reflowProblems(page, 320, 640, `${OUTPUT}screenshots/a11y/${name}-320px.png`)),
    );
    // 200% zoom of a 1280 x 800 window: a 640 x 400 CSS px viewport.
    found.push(...(await reflowProblems(page, 640, 400)));
    await page.screenshot({ path: `${OUTPUT}screenshots/a11y/${name}.png`, fullPage: true });
    return found.map((finding) => `${name}: ${finding}`);
  };
  const stopsOf = new Map<string, TabStop[]>();

  /** Sign in at the emulator's pages (fresh profile: login, then consent when Google asks). */
  const signIn = async (page: Page, site: Site, email: string, grantGmail = true) => {
    // Unticking needs the consent screen: forget the account's earlier consent.
    if (!grantGmail) sut.emulator.revokeAll(email);
    await page.goto(`${site.base}/oauth`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Next' }).click();
    // Google shows its consent screen only when the grant lacks a scope, or when the app
    // comes back with prompt=consent for a refresh token (at most once).
    for (let screen = 0; screen < 2; screen++) {
      const allow = page.getByRole('button', { name: 'Allow' });
      const left = page.waitForURL((url) => !url.href.startsWith(sut.emulator.issuer));
      await Promise.race([allow.waitFor(), left]);
      if (!page.url().startsWith(sut.emulator.issuer)) return;
      if (!grantGmail) await page.getByLabel('View your email messages and settings').uncheck();
      const before = page.url();
      await allow.click();
      await page.waitForURL((url) => url.href !== before);
    }
    await page.waitForURL((url) => !url.href.startsWith(sut.emulator.issuer));
  };

  /** Goes to `path` and checks the status the server answered. */
  const visit = async (page: Page, url: string, status: number) => {
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(status);
  };

  const visitAndInspect = async (
    page: Page,
    url: string,
    status: number,
    name: string,
    locale: Locale,
  ): Promise<string[]> => {
    await visit(page, url, status);
    return inspect(page, name, locale);
  };

  it('should pass on the pages anyone can open, signed out', async () => {
    const found: string[] = [];
    for (const locale of LOCALES) {
      const page = await newPage(locale);
      found.push(
        ...(await visitAndInspect(page, `${open.base}/`, 200, `${locale}-landing`, locale)),
      );
      found.push(
        ...(await visitAndInspect(page, `${open.base}/setup`, 200, `${locale}-setup`, locale)),
      );
      found.push(
        ...(await visitAndInspect(page, `${open.base}/no-such-page`, 404, `${locale}-404`, locale)),
      );
      found.push(
        ...(await visitAndInspect(
          page,
          `${open.base}/callback?state=forged&code=forged`,
          400,
          `${locale}-400-callback`,
          locale,
        )),
      );
    }
    expect(found).toEqual([]);
  });

  it('should pass on the inbox, every kind of message and after sign-out', async () => {
    const found: string[] = [];
    for (const locale of LOCALES) {
      const page = await newPage(locale);
      await signIn(page, open, TARO);
      expect(page.url()).toBe(`${open.base}/home`);
      found.push(...(await inspect(page, `${locale}-inbox`, locale)));
      const links = await subjectLinks(page);
      expect(stopsOf.get(`${locale}-inbox`)!.map((stop) => stop.label)).toEqual(
        inboxTabOrder(locale, await page.locator('a.subject').allInnerTexts()),
      );
      await page.locator('.pager a[rel="next"]').click();
      await page.locator('.pager a[rel="prev"]').waitFor();
      found.push(...(await inspect(page, `${locale}-inbox-older`, locale)));
      Object.assign(links, await subjectLinks(page));

      const messages = {
        plain: 'Café ce soir ? (ISO-8859-1)',
        html: 'Winter sale: 50% off (HTML mail)',
        japanese: '来週の会議について (ISO-2022-JP)',
        attachment: 'Invoice #2026-11 with PDF (multipart)',
      };
      for (const [kind, subject] of Object.entries(messages)) {
        expect(links[subject], subject).toBeDefined();
        found.push(
          ...(await visitAndInspect(
            page,
            `${open.base}${links[subject]}`,
            200,
            `${locale}-message-${kind}`,
            locale,
          )),
        );
      }
      found.push(
        ...(await visitAndInspect(
          page,
          `${open.base}${links[messages.html]}?view=plain`,
          200,
          `${locale}-message-html-as-plain`,
          locale,
        )),
      );
      found.push(
        ...(await visitAndInspect(
          page,
          `${open.base}/messages/0000000000000000`,
          404,
          `${locale}-404-message-signed-in`,
          locale,
        )),
      );

      // Gmail over quota, then failing: the list as last loaded with a notice, then the 502 page.
      // (The inbox was loaded before: its reload is one history.list.)
      sut.emulator.setFault(
        'gmail_history',
        { kind: 'gmail-error', status: 429, reason: 'rateLimitExceeded' },
        1,
      );
      found.push(
        ...(await visitAndInspect(
          page,
          `${open.base}/home`,
          200,
          `${locale}-inbox-cached`,
          locale,
        )),
      );
      expect(await page.locator('.notice[role="status"]').count()).toBe(1);
      // Google named no wait: the account's calls back off (1 s, doubling; at most a minute).
      sut.clock.advance(60_000);
      sut.emulator.setFault('gmail_get', { kind: 'status', status: 500 }, 1);
      found.push(
        ...(await visitAndInspect(
          page,
          `${open.base}/messages/${links[messages.plain].split('/').pop()}`,
          502,
          `${locale}-502-upstream`,
          locale,
        )),
      );

      found.push(
        ...(await visitAndInspect(page, `${open.base}/account`, 200, `${locale}-account`, locale)),
      );
      await visit(page, `${open.base}/home`, 200);
      await page.locator('.account button[type="submit"]').first().click();
      await page.waitForURL(`${open.base}/`);
      found.push(...(await inspect(page, `${locale}-signed-out`, locale)));
    }
    expect(found).toEqual([]);
  });

  it('should pass on the empty inbox and the missing-permission page', async () => {
    const found: string[] = [];
    for (const locale of LOCALES) {
      const empty = await newPage(locale);
      await signIn(empty, open, EMPTY);
      await empty.locator('#empty-state').waitFor();
      found.push(...(await inspect(empty, `${locale}-inbox-empty`, locale)));

      const noGmail = await newPage(locale);
      await signIn(noGmail, open, TARO, false);
      const response = await noGmail.reload();
      expect(response?.status()).toBe(403);
      found.push(...(await inspect(noGmail, `${locale}-403-scope-missing`, locale)));
    }
    expect(found).toEqual([]);
  });

  it('should pass on the refusal, rate-limit and store-down pages', async () => {
    const found: string[] = [];
    const pages = { en: await newPage('en'), ja: await newPage('ja') };
    for (const locale of LOCALES) {
      await signIn(pages[locale], restricted, TARO);
      found.push(...(await inspect(pages[locale], `${locale}-403-domain-refused`, locale)));
    }
    for (const locale of LOCALES) {
      // The limit (4 a minute, /oauth and /callback together) is spent by the two sign-ins.
      found.push(
        ...(await visitAndInspect(
          pages[locale],
          `${restricted.base}/oauth`,
          429,
          `${locale}-429-rate-limited`,
          locale,
        )),
      );
    }
    for (const locale of LOCALES) {
      // A session cookie makes the service look the session up, which fails with Redis down:
      // /home needs it (the landing page would still render, without the account).
      await pages[locale]
        .context()
        .addCookies([
          { name: 'sid', value: signedSessionCookie(`a11y-${locale}`), url: onRedis.base },
        ]);
      found.push(
        ...(await visitAndInspect(
          pages[locale],
          `${onRedis.base}/home`,
          503,
          `${locale}-503-store-down`,
          locale,
        )),
      );
    }
    expect(found).toEqual([]);
  });

  it('should let a person open a message and come back with the keyboard alone', async () => {
    const page = await newPage('en');
    await signIn(page, open, TARO);
    const firstSubject = await page.locator('a.subject').first().innerText();
    // Skip link, brand, 日本語, Account, Sign out, Sign out everywhere, Disconnect Gmail, the
    // four action buttons (selected, all on this page), the first row's checkbox, then the
    // first subject.
    for (let i = 0; i < 13; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(firstSubject);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/messages\//);
    expect(await page.locator('h1.message-subject').innerText()).toBe(firstSubject);
    // Skip link, then straight into the content: "Back to the inbox".
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
      '← Back to the inbox',
    );
    await page.keyboard.press('Enter');
    await page.waitForURL(`${open.base}/home`);
  });

  it('should have had no console error, page error or CSP violation', () => {
    expect(consoleProblems.filter((problem) => !errorDocuments.has(problem))).toEqual([]);
  });
});

/** A session id signed the way express-session signs it (cookie-signature: HMAC-SHA256). */
function signedSessionCookie(id: string): string {
  const signature = createHmac('sha256', TEST_SESSION_SECRET).update(id).digest('base64');
  return encodeURIComponent(`s:${id}.${signature.replace(/=+$/, '')}`);
}

/** Header controls, then each message's subject and Gmail link, then the pager. */
function inboxTabOrder(locale: Locale, subjects: string[]): string[] {
  const [read, archive, ...bulk] =
    locale === 'en'
      ? [
          'Mark as read',
          'Archive',
          'Mark selected as read',
          'Archive selected',
          'Mark all on this page as read',
          'Archive all on this page',
        ]
      : [
          '既読にする',
          'アーカイブ',
          '選択したメッセージを既読にする',
          '選択したメッセージをアーカイブ',
          'このページをすべて既読にする',
          'このページをすべてアーカイブ',
        ];
  const [skip, brand, other, account, signOut, everywhere, disconnect, gmail, older] =
    locale === 'en'
      ? [
          'Skip to main content',
          '✉ Gmail Unread',
          '日本語',
          'Account',
          'Sign out',
          'Sign out everywhere',
          'Disconnect Gmail',
          'Open in Gmail ↗ (opens in a new tab)',
          'Older →',
        ]
      : [
          '本文へスキップ',
          '✉ Gmail 未読メール',
          'English',
          'アカウント',
          'ログアウト',
          'すべての端末でログアウト',
          'Gmail との連携を解除',
          'Gmail で開く ↗ （新しいタブで開きます）',
          '古いメール →',
        ];
  return [
    `a:${skip}`,
    `a:${brand}`,
    `a:${other}`,
    `a:${account}`,
    `button:${signOut}`,
    `button:${everywhere}`,
    `button:${disconnect}`,
    ...bulk.map((name) => `button:${name}`),
    // Each row: its checkbox (named by its label, which the walk does not read), the subject,
    // its two actions (named with the subject), the link to Gmail.
    ...subjects.flatMap((subject) => [
      'input:',
      `a:${subject}`,
      `button:${read}: ${subject}`,
      `button:${archive}: ${subject}`,
      `a:${gmail}`,
    ]),
    `a:${older}`,
  ];
}

/** Subject → href of every message link on the inbox page shown. */
function subjectLinks(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll<HTMLAnchorElement>('a.subject')).map((a) => [
        a.textContent ?? '',
        a.getAttribute('href') ?? '',
      ]),
    ),
  );
}

/**
 * Focus moves the way the page reads: each stop is below the previous one, or on the same line
 * further right.
 */
function readingOrderProblems(stops: TabStop[]): string[] {
  const found: string[] = [];
  for (let i = 2; i < stops.length; i++) {
    const [previous, stop] = [stops[i - 1], stops[i]];
    const sameLine = Math.abs(stop.top - previous.top) < Math.max(stop.height, previous.height);
    if (sameLine ? stop.left < previous.left : stop.top < previous.top)
      found.push(`Tab goes back from ${previous.label} to ${stop.label}`);
  }
  return found;
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, Result } from 'axe-core';
import type { Page } from 'playwright-core';

/** axe-core's browser bundle, evaluated through the DevTools protocol (not subject to the CSP). */
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** The WCAG 2.1 level A and AA rules: what JIS X 8341-3:2016 and EN 301 549 ask for. */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** One finding per rule and element: "rule-id (impact): selector". */
export function describeResults(results: Result[]): string[] {
  return results.flatMap((result) =>
    result.nodes.map((node) => `${result.id} (${result.impact}): ${node.target.join(' ')}`),
  );
}

/** Runs axe-core on the page's document with the rules of the given tags. */
export async function runAxe(page: Page, tags: string[]): Promise<AxeResults> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    (values) =>
      (window as unknown as { axe: typeof import('axe-core') }).axe.run(document, {
        runOnly: { type: 'tag', values },
        resultTypes: ['violations'],
      }),
    tags,
  );
}

/** A Tab stop: what it is, where it is (document coordinates) and how it looks focused. */
export interface TabStop {
  label: string;
  inMain: boolean;
  top: number;
  left: number;
  height: number;
  visible: boolean;
  focusVisible: boolean;
  focusedStyle: string;
}

/**
 * Presses Tab from the top of a freshly loaded page until focus leaves the document or comes
 * back round, recording each stop. Each stop's look with focus is compared with its look
 * without (after the walk, nothing focused): an outline of at least 2 px or a box shadow must
 * appear.
 */
export async function walkTabOrder(page: Page, limit = 400): Promise<TabStop[]> {
  const stops: TabStop[] = [];
  for (let index = 0; index < limit; index++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate((i) => {
      const element = document.activeElement;
      if (!(element instanceof HTMLElement) || element === document.body) return undefined;
      if (element.dataset.tabStop !== undefined) return undefined;
      element.dataset.tabStop = String(i);
      const style = getComputedStyle(element);
      const rect = element.getBoundingClientRect();
      const name = (element.getAttribute('aria-label') ?? element.innerText ?? '').trim();
      return {
        label: `${element.tagName.toLowerCase()}:${name.replace(/\s+/g, ' ')}`,
        inMain: element.closest('main') !== null,
        top: rect.top + window.scrollY,
        left: rect.left + window.scrollX,
        height: rect.height,
        visible:
          rect.width > 0 &&
          rect.height > 0 &&
          rect.bottom > 0 &&
          rect.right > 0 &&
          rect.top < window.innerHeight &&
          rect.left < window.innerWidth,
        focusVisible: element.matches(':focus-visible'),
        focusedStyle: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor} | ${style.boxShadow}`,
      };
    }, index);
    if (!stop) break;
    stops.push(stop);
  }
  const unfocused = await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    return Array.from(document.querySelectorAll<HTMLElement>('[data-tab-stop]')).map((element) => {
      const style = getComputedStyle(element);
      delete element.dataset.tabStop;
      return `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor} | ${style.boxShadow}`;
    });
  });
  return stops.map((stop, i) => ({
    ...stop,
    focusVisible: stop.focusVisible && stop.focusedStyle !== unfocused[i] && visibleRing(stop),
  }));
}

function visibleRing(stop: TabStop): boolean {
  const [outline, shadow] = stop.focusedStyle.split(' | ');
  const [style, width] = outline.split(' ');
  return (style !== 'none' && Number.parseFloat(width) >= 2) || shadow !== 'none';
}

/**
 * At the given viewport width: the page must not scroll sideways, and nothing may be cut off
 * by an element that hides its overflow. Returns what is wrong, empty when all is well.
 */
export async function reflowProblems(
  page: Page,
  width: number,
  height: number,
  screenshotPath?: string,
): Promise<string[]> {
  const original = page.viewportSize();
  await page.setViewportSize({ width, height });
  const problems = await page.evaluate((viewport) => {
    const found: string[] = [];
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth > viewport) found.push(`page is ${scrollWidth} px wide`);
    for (const element of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      const style = getComputedStyle(element);
      const hides = ['hidden', 'clip'].includes(style.overflowX);
      // The skip link waits off screen; visually hidden text is clipped on purpose.
      if (element.closest('.skip-link, .visually-hidden')) continue;
      if (hides && element.scrollWidth > element.clientWidth + 1)
        found.push(`${element.tagName.toLowerCase()}.${element.className} clips its content`);
      const rect = element.getBoundingClientRect();
      if (rect.width > 0 && rect.right > viewport + 1)
        found.push(`${element.tagName.toLowerCase()}.${element.className} ends at ${rect.right}`);
    }
    return found;
  }, width);
  if (screenshotPath) await page.screenshot({ path: screenshotPath, fullPage: true });
  if (original) await page.setViewportSize(original);
  return problems.map((problem) => `${width} px: ${problem}`);
}

/** The language switch: each option in its own language, links with `hreflang`, one current. */
export async function languageSwitchProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const options = Array.from(
      document.querySelectorAll<HTMLElement>('.lang-switch a, .lang-switch [aria-current]'),
    );
    if (options.length !== 2) found.push(`${options.length} language options`);
    for (const option of options) {
      const lang = option.getAttribute('lang');
      if (!lang) found.push(`"${option.textContent}" has no lang`);
      if (option instanceof HTMLAnchorElement && option.hreflang !== lang)
        found.push(`"${option.textContent}" has hreflang "${option.hreflang}"`);
    }
    const current = options.filter((option) => option.getAttribute('aria-current') !== null);
    if (current.length !== 1 || current[0].getAttribute('lang') !== document.documentElement.lang)
      found.push('the current language is not marked');
    return found;
  });
}

/**
 * The skip link is the first Tab stop; following it moves focus to <main>, so the next Tab
 * lands on the first control of the content.
 */
export async function skipLinkProblems(page: Page, stops: TabStop[]): Promise<string[]> {
  const found: string[] = [];
  const skip = page.locator('a.skip-link');
  if (!stops[0]?.label.startsWith('a:') || (await skip.count()) !== 1) return ['no skip link'];
  if (stops[0].label !== `a:${(await skip.innerText()).trim()}`)
    found.push('the skip link is not the first Tab stop');
  await skip.focus();
  await page.keyboard.press('Enter');
  const target = await page.evaluate(() => document.activeElement?.id);
  if (target !== 'main') found.push(`the skip link moved focus to "${target}"`);
  const firstInMain = stops.find((stop) => stop.inMain);
  if (firstInMain) {
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => document.activeElement?.closest('main') !== null);
    if (!next) found.push('Tab after the skip link left <main>');
  }
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  return found;
}

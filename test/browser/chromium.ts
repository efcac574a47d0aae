import { type Browser, type BrowserContext, chromium, type ConsoleMessage } from 'playwright-core';
import { aroundAll } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with nothing that reaches the network on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A Chromium for the enclosing describe block: launched before its first test, closed after its
 * last whatever failed. Playwright runs it in a process group of its own and kills that group if
 * it does not close, or when this process exits.
 */
export function useChromium(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  aroundAll(async (runSuite) => {
    const launched = await launchChromium();
    browser = launched;
    try {
      await runSuite();
    } finally {
      await launched.close();
    }
  });
  return {
    get browser() {
      if (!browser) throw new Error('Chromium has not started (read it inside tests and hooks)');
      return browser;
    },
  };
}

/**
 * Collects every console error and warning, uncaught page error and CSP violation of every
 * page of the context into `problems`, for the test to assert empty.
 */
export async function watchProblems(context: BrowserContext, problems: string[]): Promise<void> {
  context.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()} (${message.location().url})`);
  });
  context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
  // CSP violations are reported to the page as events; collect them on every document.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
}

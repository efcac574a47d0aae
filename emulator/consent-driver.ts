export interface ConsentChoice {
  email: string;
  password?: string;
  /** Untick the Gmail permission on the consent page (granular consent). Default true. */
  grantGmail?: boolean;
  /** Press "Cancel": the client receives error=access_denied. */
  deny?: boolean;
  /** Scopes of registered APIs to untick on the consent page (the others stay ticked). */
  refuse?: readonly string[];
}

const MAX_STEPS = 20;

/**
 * Walks an authorization URL through the emulator's login and consent pages with plain
 * fetch and its own cookie jar, as a browser would, and returns the redirect back to the
 * client (the callback URL with code, state and iss, or with error=access_denied).
 */
export async function consentAtEmulator(
  authorizationUrl: string,
  choice: ConsentChoice,
): Promise<string> {
  const origin = new URL(authorizationUrl).origin;
  const cookies = new Map<string, string>();
  let next: { url: string; method: 'GET' | 'POST'; form?: Record<string, string>; body?: string } =
    {
      url: authorizationUrl,
      method: 'GET',
    };
  for (let step = 0; step < MAX_STEPS; step++) {
    const response = await fetch(next.url, {
      method: next.method,
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(next.form || next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: next.body ?? (next.form ? new URLSearchParams(next.form).toString() : undefined),
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const expired =
        attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) ||
        pair.slice(index + 1) === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, pair.slice(index + 1));
    }
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get('location') ?? '', next.url);
      if (location.origin !== origin) return location.toString();
      next = { url: location.toString(), method: 'GET' };
      continue;
    }
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`emulator answered ${response.status}: ${html.slice(0, 300)}`);
    const action = (suffix: string) => {
      const match = new RegExp(`action="(/interaction/[^"]+/${suffix})"`).exec(html);
      if (!match) throw new Error(`no ${suffix} form on the emulator page: ${html.slice(0, 300)}`);
      return new URL(match[1], origin).toString();
    };
    if (html.includes('name="password"')) {
      if (html.includes('role="alert"')) throw new Error(`login refused for ${choice.email}`);
      next = {
        url: action('login'),
        method: 'POST',
        form: { email: choice.email, password: choice.password ?? 'demo' },
      };
    } else if (choice.deny) {
      next = { url: action('abort'), method: 'POST', form: {} };
    } else {
      const form = new URLSearchParams(choice.grantGmail === false ? {} : { gmail: 'on' });
      for (const [, scope] of html.matchAll(/name="scope" value="([^"]+)"/g)) {
        if (!choice.refuse?.includes(scope)) form.append('scope', scope);
      }
      next = { url: action('confirm'), method: 'POST', body: form.toString() };
    }
  }
  throw new Error(`no redirect back to the client after ${MAX_STEPS} steps`);
}

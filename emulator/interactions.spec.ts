import { describe, expect, it } from 'vitest';
import { authorizationUrl } from './sign-in-flow.js';
import { emulatorSuite, specClient } from './spec-support.js';

const CLIENT = specClient('pages-spec');

describe('InteractionPages', () => {
  const suite = emulatorSuite({ clients: [CLIENT] });

  /** Follows the authorization redirect to the login page, as a browser would. */
  async function loginPage(loginHint: string): Promise<string> {
    const url = authorizationUrl(suite.emulator.issuer, CLIENT, {
      state: 's',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      login_hint: loginHint,
    });
    const redirect = await fetch(url, { redirect: 'manual' });
    const page = await fetch(new URL(redirect.headers.get('location')!, suite.emulator.issuer), {
      headers: {
        cookie: redirect.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; '),
      },
    });
    expect(page.status).toBe(200);
    return page.text();
  }

  it('should label the login fields Email and Password with a Next button', async () => {
    const html = await loginPage('taro.yamada@gmail.com');

    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain('<button type="submit">Next</button>');
    expect(html).toContain('value="taro.yamada@gmail.com"');
  });

  it('should escape the login hint and carry no script', async () => {
    const html = await loginPage('"><script>alert(1)</script>');

    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).not.toMatch(/<script/i);
  });

  it('should answer 400 with a page when the interaction cookie is missing', async () => {
    const response = await fetch(`${suite.emulator.issuer}/interaction/unknown-uid`);

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('This sign-in has expired. Start again.');
  });
});

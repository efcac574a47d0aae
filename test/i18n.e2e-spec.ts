import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';
import { signIn } from './support/test-app.js';

const JA_ERROR_TITLE = '問題が発生しました';
const EN_BAD_INPUT = 'That request was not understood.';

describe('English and Japanese', () => {
  const sut = useServiceFixture();

  it('should follow Accept-Language and set <html lang>', async () => {
    const ja = await supertest(sut.server)
      .get('/')
      .set('Accept-Language', 'ja-JP,ja;q=0.9,en;q=0.5')
      .expect(200);
    expect(ja.text).toContain('<html lang="ja">');
    expect(ja.text).toContain('Gmail に接続');
    expect(ja.headers['content-language']).toBe('ja');
    const en = await supertest(sut.server).get('/').set('Accept-Language', 'en-US').expect(200);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Connect to Gmail');
  });

  it('should show each visitor the page for their language, path and account, rendered once or not', async () => {
    // Anonymous pages are kept once rendered (RenderMemo); every input still shows.
    const landing = (path: string, language: string) =>
      supertest(sut.server).get(path).set('Accept-Language', language).expect(200);
    const first = await landing('/', 'en');
    expect((await landing('/', 'en')).text).toBe(first.text);
    expect(first.text).toContain('href="/lang/ja?next=%2F"');
    const withQuery = await landing('/?from=mail', 'en');
    expect(withQuery.text).toContain('href="/lang/ja?next=%2F%3Ffrom%3Dmail"');
    expect((await landing('/', 'ja')).text).toContain('href="/lang/en?next=%2F"');
    expect((await landing('/', 'ja')).text).toContain('<html lang="ja">');

    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    const signedIn = await agent.get('/').set('Accept-Language', 'en').expect(200);
    expect(signedIn.text).toContain(`Signed in as ${TARO}`);
    expect(signedIn.text).toContain('Go to your inbox');
    expect(signedIn.text).not.toContain('Connect to Gmail');
    expect((await landing('/', 'en')).text).toBe(first.text);
  });

  it('should remember the switch in a cookie and go back to a same-site page only', async () => {
    const agent = sut.agent();
    const switched = await agent.get('/lang/ja?next=%2Fsetup').expect(303);
    expect(switched.headers.location).toBe('/setup');
    expect(switched.headers['set-cookie']?.[0]).toMatch(
      /^lang=ja; Max-Age=31536000; Path=\/; Expires=.*; HttpOnly; SameSite=Lax$/,
    );
    const page = await agent.get('/setup').set('Accept-Language', 'en').expect(200);
    expect(page.text).toContain('<html lang="ja">');
    expect(page.text).toContain('承認済みのリダイレクト URI');
    expect(page.text).toContain(
      '<title>自分の Google OAuth クライアントを使う · Gmail 未読メール</title>',
    );
    expect(
      (await agent.get('/lang/en?next=https://evil.example/').expect(303)).headers.location,
    ).toBe('/');
    expect((await agent.get('/lang/en?next=//evil.example/').expect(303)).headers.location).toBe(
      '/',
    );
    const unsupported = await agent.get('/lang/xx').expect(400);
    expect(unsupported.text).toContain(EN_BAD_INPUT);
  });

  it('should show error pages, the inbox and dates in Japanese', async () => {
    const agent = sut.agent();
    await agent.get('/lang/ja').expect(303);
    const error = await agent.get('/callback?state=x').expect(400);
    expect(error.text).toContain('このログイン用リンクは期限切れか、すでに使われています。');
    expect(error.text).toContain(`<title>${JA_ERROR_TITLE} · Gmail 未読メール</title>`);
    await signIn(agent, { email: TARO });
    const home = await agent.get('/home').expect(200);
    expect(home.text).toContain('受信トレイの未読 63 件');
    expect(home.text).toContain('<title>受信トレイの未読 · Gmail 未読メール</title>');
    expect(home.text).toMatch(/2026\/11\/24 \d{1,2}:\d{2}/);
    expect(home.text).toContain(`${TARO} でログイン中`);
  });

  it.each([
    ['a malformed header', { 'Accept-Language': ';;;q=,,*-*-*' }],
    ['a huge header', { 'Accept-Language': 'ja-'.repeat(3000) }],
    ['an invalid tag', { 'Accept-Language': 'x-klingon-1234567890' }],
    ['a bad cookie', { Cookie: 'lang=%E0%A4%A' }],
    ['a cookie with an unknown language', { Cookie: 'lang=de' }],
  ])('should fall back to English for %s without a 5xx', async (_name, headers) => {
    const response = await supertest(sut.server).get('/').set(headers).expect(200);
    expect(response.text).toContain('<html lang="en">');
  });
});

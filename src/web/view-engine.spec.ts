import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewEngine } from './render-memo.js';
import { SanitizedHtml } from '../common/mail-html/sanitized-html.js';
import { configureViews } from './view-engine.js';

const views = mkdtempSync(join(tmpdir(), 'views-'));
mkdirSync(join(views, 'partials'));
writeFileSync(
  join(views, 'partials', 'layout.hbs'),
  '<html lang="{{locale}}"><title>{{t "app.name"}}</title>{{> @partial-block}}</html>',
);
const pages: Record<string, string> = {
  page: '{{#> layout}}<p>{{name}}</p>{{#each rows}}<i>{{this}}</i>{{/each}}{{mailHtml body}}{{/layout}}',
  unknownHelper: '<p>{{shout name}}</p>',
  inherited: '<p>[{{secret}}]</p>',
};
for (const [name, text] of Object.entries(pages)) writeFileSync(join(views, `${name}.hbs`), text);

/** configureViews on a stand-in for the Nest app: the engine it registers for .hbs. */
function engineOf(): ViewEngine {
  let engine: ViewEngine | undefined;
  const settings = new Map<string, unknown>();
  const app = {
    engine: (extension: string, fn: ViewEngine) => extension === 'hbs' && (engine = fn),
    setBaseViewsDir: (dir: string) => settings.set('views', dir),
    setViewEngine: (name: string) => settings.set('view engine', name),
    set: (name: string, value: unknown) => settings.set(name, value),
  } as unknown as NestExpressApplication;
  configureViews(app, views);
  expect(settings.get('view cache')).toBe(true);
  return engine!;
}

let engine: ViewEngine;

function render(name: string, options: Record<string, unknown>) {
  return new Promise<string>((resolve, reject) =>
    engine(join(views, `${name}.hbs`), options, (error, html) =>
      error ? reject(error) : resolve(html!),
    ),
  );
}

describe(configureViews.name, () => {
  beforeAll(() => {
    engine = engineOf();
  });
  afterAll(() => rmSync(views, { recursive: true, force: true }));

  it('should render a page in its layout, escaping values, with the t and mailHtml helpers', async () => {
    const html = await render('page', {
      locale: 'ja',
      name: '<b>太郎</b>',
      rows: ['a&b'],
      body: SanitizedHtml.from('<em>safe</em><script>alert(1)</script>'),
    });
    expect(html).toBe(
      '<html lang="ja"><title>Gmail 未読メール</title><p>&lt;b&gt;太郎&lt;/b&gt;</p><i>a&amp;b</i><em>safe</em></html>',
    );
    // mailHtml prints nothing that did not go through the sanitizer.
    expect(await render('page', { locale: 'en', name: '', rows: [], body: '<script>' })).toBe(
      '<html lang="en"><title>Gmail Unread</title><p></p></html>',
    );
  });

  it('should refuse a template that calls a helper it does not know, naming the file', async () => {
    await expect(render('unknownHelper', { name: 'x' })).rejects.toThrow(
      /^unknownHelper\.hbs: You specified knownHelpersOnly, but used the unknown helper shout/,
    );
  });

  it("should not read a value's prototype", async () => {
    const options = Object.create({ secret: 'from the prototype' }) as Record<string, unknown>;
    expect(await render('inherited', options)).toBe('<p>[]</p>');
  });
});

import type { NestExpressApplication } from '@nestjs/platform-express';
import hbs from 'hbs';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RenderMemo } from './render-memo.js';
import { SanitizedHtml } from './sanitized-html.js';
import { isLocale, isMessageKey, translate } from '../i18n/i18n.js';

type HelperOptions = { hash: Record<string, unknown>; data: { root: { locale?: unknown } } };

/**
 * Handlebars through `hbs`. Partials are registered synchronously from views/partials (hbs's
 * own registerPartials is asynchronous, which races the first render). The layout is the
 * `layout` partial used as a block, so no page needs triple-stash output.
 *
 * Pages whose inputs are all plain values are kept once rendered (RenderMemo), so every helper
 * registered here must depend only on its arguments and the page's inputs: no clock, no state.
 */
export function configureViews(app: NestExpressApplication, viewsDir: string): void {
  const handlebars = hbs.handlebars;
  const partialsDir = join(viewsDir, 'partials');
  for (const file of readdirSync(partialsDir).filter((name) => name.endsWith('.hbs'))) {
    handlebars.registerPartial(
      basename(file, '.hbs'),
      readFileSync(join(partialsDir, file), 'utf8'),
    );
  }
  handlebars.registerHelper('t', function (this: unknown, key: unknown, options: HelperOptions) {
    const locale = isLocale(options.data.root.locale) ? options.data.root.locale : 'en';
    return typeof key === 'string' && isMessageKey(key) ? translate(locale, key, options.hash) : '';
  });
  // The one helper that prints HTML unescaped, and only HTML that went through the mail sanitizer.
  handlebars.registerHelper('mailHtml', (value: unknown) =>
    value instanceof SanitizedHtml ? new handlebars.SafeString(value.html) : '',
  );
  app.engine('hbs', new RenderMemo().wrap(hbs.__express));
  app.setBaseViewsDir(viewsDir);
  app.setViewEngine('hbs');
  app.set('view options', { layout: false });
  // Compile each template once (Express turns this on only when NODE_ENV=production).
  app.set('view cache', true);
}

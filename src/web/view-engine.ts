import type { NestExpressApplication } from '@nestjs/platform-express';
import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RenderMemo, type ViewEngine } from './render-memo.js';
import { SanitizedHtml } from '../common/mail-html/sanitized-html.js';
import { isLocale, isMessageKey, translate } from '../i18n/i18n.js';

type HelperOptions = { hash: Record<string, unknown>; data: { root: { locale?: unknown } } };

/**
 * The helpers pages may call besides Handlebars' own (if, each, unless, with, lookup, log).
 * Templates are compiled knowing them and no others: a call to anything else fails at compile
 * time, and plain `{{value}}` reads compile to property reads without a helper lookup.
 */
const COMPILE_OPTIONS: CompileOptions = {
  knownHelpers: { t: true, mailHtml: true },
  knownHelpersOnly: true,
};

/**
 * Handlebars, compiled once per template. Partials are registered synchronously from
 * views/partials. The layout is the `layout` partial used as a block, so no page needs
 * triple-stash output. Handlebars' default runtime is kept: templates read own properties
 * only, never a prototype's.
 *
 * Pages whose inputs are all plain values are kept once rendered (RenderMemo), so every helper
 * registered here must depend only on its arguments and the page's inputs: no clock, no state.
 */
export function configureViews(app: NestExpressApplication, viewsDir: string): void {
  const handlebars = Handlebars.create();
  const partialsDir = join(viewsDir, 'partials');
  for (const file of readdirSync(partialsDir).filter((name) => name.endsWith('.hbs'))) {
    handlebars.registerPartial(
      basename(file, '.hbs'),
      handlebars.compile(readFileSync(join(partialsDir, file), 'utf8'), COMPILE_OPTIONS),
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
  app.engine('hbs', new RenderMemo().wrap(handlebarsEngine(handlebars)));
  app.setBaseViewsDir(viewsDir);
  app.setViewEngine('hbs');
  // Look each view's file up once (Express turns this on only when NODE_ENV=production).
  app.set('view cache', true);
}

/** Express's view engine for `.hbs` files: each compiled on first use and kept. */
function handlebarsEngine(handlebars: typeof Handlebars): ViewEngine {
  const templates = new Map<string, HandlebarsTemplateDelegate>();
  return (path, options, callback) => {
    let html: string;
    try {
      let template = templates.get(path);
      if (!template) {
        template = handlebars.compile(readFileSync(path, 'utf8'), COMPILE_OPTIONS);
        templates.set(path, template);
      }
      html = template(options);
    } catch (error) {
      callback(new Error(`${basename(path)}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    callback(null, html);
  };
}

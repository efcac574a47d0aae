import { describe, expect, it } from 'vitest';
import { RenderMemo, type ViewEngine } from './render-memo.js';

/** An engine that prints its inputs and counts its renders. */
function countingEngine() {
  const calls: string[] = [];
  const engine: ViewEngine = (path, options, callback) => {
    calls.push(path);
    const inputs = Object.fromEntries(
      Object.entries(options).filter(([name]) => !['settings', '_locals', 'cache'].includes(name)),
    );
    callback(null, `${path} ${JSON.stringify(inputs)} #${calls.length}`);
  };
  return { engine, calls };
}

function render(engine: ViewEngine, path: string, options: Record<string, unknown>) {
  return new Promise<string>((resolve, reject) =>
    engine(path, options, (error, html) => (error ? reject(error) : resolve(html!))),
  );
}

const LANGUAGES = Object.freeze([Object.freeze({ code: 'en', current: true })]);
const express = { settings: { views: '/v' }, _locals: {}, cache: true };

describe(RenderMemo.name, () => {
  it('should render a page of plain inputs once and serve the same bytes after', async () => {
    const { engine, calls } = countingEngine();
    const memo = new RenderMemo();
    const wrapped = memo.wrap(engine);
    const inputs = { ...express, locale: 'en', returnTo: '%2F', languages: LANGUAGES };
    const first = await render(wrapped, '/v/index.hbs', inputs);
    expect(first).toBe(
      '/v/index.hbs {"locale":"en","returnTo":"%2F","languages":[{"code":"en","current":true}]} #1',
    );
    expect(
      await render(wrapped, '/v/index.hbs', { ...inputs, settings: {}, _locals: { x: 1 } }),
    ).toBe(first);
    expect(calls).toHaveLength(1);
    expect(memo.size).toBe(1);
  });

  it('should render anew when any input, the template or a frozen table differs', async () => {
    const { engine, calls } = countingEngine();
    const wrapped = new RenderMemo().wrap(engine);
    const inputs = { ...express, locale: 'en', languages: LANGUAGES };
    await render(wrapped, '/v/index.hbs', inputs);
    await render(wrapped, '/v/index.hbs', { ...inputs, locale: 'ja' });
    await render(wrapped, '/v/setup.hbs', inputs);
    await render(wrapped, '/v/index.hbs', { ...inputs, languages: Object.freeze([]) });
    await render(wrapped, '/v/index.hbs', { ...inputs, extra: undefined });
    await render(wrapped, '/v/index.hbs', { ...inputs, locale: 1 });
    // Names and values that would run together in a naive key.
    await render(wrapped, '/v/index.hbs', { ...express, a: 'b=c' });
    await render(wrapped, '/v/index.hbs', { ...express, 'a=b': 'c' });
    expect(calls).toHaveLength(8);
  });

  it('should not keep a page with a mutable, partly frozen or computed input', async () => {
    const { engine, calls } = countingEngine();
    const memo = new RenderMemo();
    const wrapped = memo.wrap(engine);
    const pages = [
      { user: { email: 'taro@example.com' } },
      { rows: Object.freeze([{ id: 'm1' }]) },
      {
        table: Object.freeze({
          get now() {
            return Date.now();
          },
        }),
      },
      { helper: () => 'x' },
      { date: Object.freeze(new Date(0)) },
    ];
    for (const page of pages) {
      await render(wrapped, '/v/index.hbs', { ...express, ...page });
      await render(wrapped, '/v/index.hbs', { ...express, ...page });
    }
    expect(calls).toHaveLength(pages.length * 2);
    expect(memo.size).toBe(0);
  });

  it('should keep at most its bound, the least recently used going first, and no long inputs', async () => {
    const { engine, calls } = countingEngine();
    const memo = new RenderMemo(2, 100);
    const wrapped = memo.wrap(engine);
    await render(wrapped, '/v/a.hbs', express);
    await render(wrapped, '/v/b.hbs', express);
    await render(wrapped, '/v/a.hbs', express); // kept; a is now the most recent
    await render(wrapped, '/v/c.hbs', express); // b goes
    expect(calls).toEqual(['/v/a.hbs', '/v/b.hbs', '/v/c.hbs']);
    await render(wrapped, '/v/a.hbs', express);
    await render(wrapped, '/v/b.hbs', express);
    expect(calls).toEqual(['/v/a.hbs', '/v/b.hbs', '/v/c.hbs', '/v/b.hbs']);
    expect(memo.size).toBe(2);

    const long = { ...express, returnTo: 'x'.repeat(100) };
    await render(wrapped, '/v/a.hbs', long);
    await render(wrapped, '/v/a.hbs', long);
    expect(calls.slice(4)).toEqual(['/v/a.hbs', '/v/a.hbs']);
  });

  it('should pass a failed render on and keep nothing', async () => {
    let renders = 0;
    const failing: ViewEngine = (_path, _options, callback) => {
      renders += 1;
      callback(new Error('no such partial'));
    };
    const memo = new RenderMemo();
    const wrapped = memo.wrap(failing);
    await expect(render(wrapped, '/v/a.hbs', express)).rejects.toThrow('no such partial');
    await expect(render(wrapped, '/v/a.hbs', express)).rejects.toThrow('no such partial');
    expect(renders).toBe(2);
    expect(memo.size).toBe(0);
  });
});

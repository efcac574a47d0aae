/** An Express template engine: renders the file at `path` with `options`, then calls back. */
export type ViewEngine = (
  path: string,
  options: Record<string, unknown>,
  callback: (error: Error | null, html?: string) => void,
) => void;

/** What Express adds to every render's options; the same for every page of one app. */
const EXPRESS_OPTIONS = new Set(['settings', '_locals', 'cache']);

/**
 * Pages whose every input is a plain value are rendered once and then served from memory: the
 * landing page for a visitor without account, the setup page, most error pages. A page's
 * output is a function of its template and its inputs (the helpers read only their arguments
 * and the page's locale), so the same inputs give the same bytes.
 *
 * An input is plain when it is a string, number, boolean, undefined or null, or an object that
 * is deeply frozen (a table built once at start-up, such as the language switch); frozen
 * objects are told apart by identity. Anything else (a signed-in account, a message, a list of
 * rows) makes the page render as usual. Only the first `maxEntries` distinct pages are kept,
 * least recently used first out, and inputs longer than `maxKeyLength` characters in all
 * (a long query string echoed in the language switch) are not kept, so a visitor cannot grow
 * it without bound.
 */
export class RenderMemo {
  private readonly pages = new Map<string, string>();
  private readonly frozenIds = new WeakMap<object, number | false>();
  private nextFrozenId = 1;

  constructor(
    private readonly maxEntries = 128,
    private readonly maxKeyLength = 1024,
  ) {}

  wrap(engine: ViewEngine): ViewEngine {
    return (path, options, callback) => {
      const key = this.keyOf(path, options);
      if (key === undefined) return engine(path, options, callback);
      const page = this.pages.get(key);
      if (page !== undefined) {
        // Most recently used moves to the back of the Map's order.
        this.pages.delete(key);
        this.pages.set(key, page);
        return callback(null, page);
      }
      engine(path, options, (error, html) => {
        if (!error && typeof html === 'string') this.remember(key, html);
        callback(error, html);
      });
    };
  }

  /** The pages kept. */
  get size(): number {
    return this.pages.size;
  }

  private remember(key: string, html: string): void {
    this.pages.set(key, html);
    if (this.pages.size > this.maxEntries) {
      const oldest = this.pages.keys().next().value as string;
      this.pages.delete(oldest);
    }
  }

  /** The page's inputs as one string, or undefined when one of them is not plain. */
  private keyOf(path: string, options: Record<string, unknown>): string | undefined {
    let key = path;
    for (const name in options) {
      if (EXPRESS_OPTIONS.has(name)) continue;
      const value = options[name];
      let part: string;
      switch (typeof value) {
        case 'string':
          part = `s${value.length}:${value}`;
          break;
        case 'number':
        case 'boolean':
          part = `${typeof value}:${String(value)}`;
          break;
        case 'undefined':
          part = 'u';
          break;
        case 'object': {
          if (value === null) {
            part = 'n';
            break;
          }
          const id = this.frozenIdOf(value);
          if (id === false) return undefined;
          part = `f${id}`;
          break;
        }
        default:
          return undefined;
      }
      // The name's length first, so that no two different inputs give one key.
      key += `\u0000${name.length}:${name}=${part}`;
      if (key.length > this.maxKeyLength) return undefined;
    }
    return key;
  }

  private frozenIdOf(value: object): number | false {
    let id = this.frozenIds.get(value);
    if (id === undefined) {
      id = isDeeplyFrozen(value) ? this.nextFrozenId++ : false;
      this.frozenIds.set(value, id);
    }
    return id;
  }
}

/** Frozen, and so is every object it holds, and none is a function (which could read state). */
function isDeeplyFrozen(value: object, seen = new Set<object>()): boolean {
  if (typeof value === 'function' || !Object.isFrozen(value)) return false;
  if (seen.has(value)) return true;
  seen.add(value);
  for (const name of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, name);
    if (!descriptor || descriptor.get || descriptor.set) return false;
    const inner: unknown = descriptor.value;
    if (typeof inner === 'function') return false;
    if (typeof inner === 'object' && inner !== null && !isDeeplyFrozen(inner, seen)) return false;
  }
  // A frozen object with a prototype other than Object's or Array's could still compute values.
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === Array.prototype || prototype === null;
}

import { inClientSpan } from './spans.js';

/**
 * Runs one RedisConnection command in a client span named by the command(s) it issues
 * ("GET", "MULTI"), read from the client methods the closure calls: callers need not name
 * them. Keys and arguments are never recorded, since keys hold session ids.
 */
export function traceRedisCommand<C extends object, T>(
  client: C,
  command: (client: C) => Promise<T>,
): Promise<T> {
  return inClientSpan(
    'redis',
    () => ({ 'db.system.name': 'redis' }),
    async (span) => {
      if (!span) return command(client);
      const names: string[] = [];
      const named = new Proxy(client, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property);
          if (typeof value !== 'function' || typeof property !== 'string') return value;
          return (...args: unknown[]): unknown => {
            const name = property === 'sendCommand' ? firstWord(args[0]) : property.toUpperCase();
            if (!names.includes(name)) names.push(name);
            span.updateName(names.join(' '));
            span.setAttribute('db.operation.name', names.join(' '));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      return command(named);
    },
  );
}

/** sendCommand(['GET', key]): the command is the first word, the rest is never looked at. */
function firstWord(args: unknown): string {
  return Array.isArray(args) && typeof args[0] === 'string' ? args[0].toUpperCase() : 'COMMAND';
}

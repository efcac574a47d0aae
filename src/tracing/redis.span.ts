import { inClientSpan } from './spans.js';
import { activeTracer } from './tracing.js';

/**
 * Runs one RedisConnection command in a client span named by the command(s) it issues
 * ("GET", "MULTI"), read from the client methods the closure calls: callers need not name
 * them. Keys and arguments are never recorded, since keys hold session ids. Without tracing
 * the command runs as it would without this function (no proxy, no extra promise).
 */
export function traceRedisCommand<C extends object, T>(
  client: C,
  command: (client: C) => Promise<T>,
): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return command(client);
  return inClientSpan(tracer, 'redis', { 'db.system.name': 'redis' }, (span) => {
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
  });
}

/** sendCommand(['GET', key]): the command is the first word, the rest is never looked at. */
function firstWord(args: unknown): string {
  return Array.isArray(args) && typeof args[0] === 'string' ? args[0].toUpperCase() : 'COMMAND';
}

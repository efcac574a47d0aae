import type { LoggerService } from '@nestjs/common';
import type { Logger as Pino } from 'pino';

/**
 * Nest's logger interface on pino. Call sites pass either a message or an object first
 * (`logger.log({ event: 'sign_in', outcome }, 'sign-in success')`); Nest appends the context.
 */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly pino: Pino) {}

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace',
    message: unknown,
    rest: unknown[],
  ) {
    // Nest passes the context last; for errors it may pass a stack string before it.
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const params = context === undefined ? rest : rest.slice(0, -1);
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      const text = params.find((p): p is string => typeof p === 'string');
      this.pino[level]({ context, ...message }, text);
    } else if (message instanceof Error) {
      this.pino[level]({ context, err: message }, message.message);
    } else {
      this.pino[level]({ context }, String(message));
    }
  }
}

import { applyDecorators, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { OutageFallbackStorage } from './outage-fallback.storage.js';

const BUDGET = Symbol('RateLimitBudget');
/** The window of every budget. */
export const RATE_LIMIT_WINDOW_MS = 60_000;
/** Requests per client and minute on a guarded route that names no budget of its own. */
export const DEFAULT_PER_MINUTE = 300;

/**
 * Budgets of requests per client IP per minute, by name: each module defines its own from its
 * settings (the core's `signin`, Gmail's `api`, RISC's `risc`), so no route names another's.
 */
@Injectable()
export class RateLimitBudgets {
  private readonly perMinute = new Map<string, number>();
  private readonly storeless = new Set<string>();

  /**
   * `withoutStore`: the budget's routes work while the shared store (Redis) is down, so it is
   * counted per instance then (OutageFallbackStorage) rather than answering 503.
   */
  define(name: string, perMinute: number, { withoutStore = false } = {}): void {
    if (this.perMinute.has(name)) throw new Error(`rate limit budget "${name}" defined twice`);
    this.perMinute.set(name, perMinute);
    if (withoutStore) this.storeless.add(name);
  }

  worksWithoutStore(name: string): boolean {
    return this.storeless.has(name);
  }

  has(name: string): boolean {
    return this.perMinute.has(name);
  }

  limitOf(name: string): number {
    const limit = this.perMinute.get(name);
    if (limit === undefined) throw new Error(`rate limit budget "${name}" was never defined`);
    return limit;
  }
}

/** The budgets the controllers name (class or handler), for the start-up check. */
export function budgetsNamedBy(controller: object, reflector: Reflector): string[] {
  const prototype = (controller as { prototype?: object }).prototype ?? {};
  const handlers = Object.getOwnPropertyNames(prototype)
    .filter((name) => name !== 'constructor')
    .map((name) => (prototype as Record<string, unknown>)[name])
    .filter((member): member is object => typeof member === 'function');
  return [controller, ...handlers]
    .map((target) => reflector.get<string | undefined>(BUDGET, target as never))
    .filter((budget): budget is string => budget !== undefined);
}

/**
 * Limits a controller or route to its module's budget (one counter per budget and client IP,
 * in the store the throttler uses: Redis when there is one): `@RateLimited('api')`.
 */
export function RateLimited(budget?: string) {
  return applyDecorators(SetMetadata(BUDGET, budget), UseGuards(RateLimitGuard));
}

/**
 * @nestjs/throttler with one throttler (`default`, DEFAULT_PER_MINUTE) whose limit a route
 * overrides with its budget, read from RateLimitBudgets when the request comes.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly budgets: RateLimitBudgets,
  ) {
    super(
      options,
      new OutageFallbackStorage(storage, (name) => budgets.worksWithoutStore(name)),
      reflector,
    );
  }

  protected override handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const budget = this.reflector.getAllAndOverride<string | undefined>(BUDGET, [
      request.context.getHandler(),
      request.context.getClass(),
    ]);
    if (budget === undefined) return super.handleRequest(request);
    return super.handleRequest({
      ...request,
      limit: this.budgets.limitOf(budget),
      ttl: RATE_LIMIT_WINDOW_MS,
      blockDuration: RATE_LIMIT_WINDOW_MS,
      throttler: { ...request.throttler, name: budget },
    });
  }
}

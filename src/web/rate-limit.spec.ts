import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { budgetsNamedBy, RateLimitBudgets, RateLimited } from './rate-limit.js';

@Controller('a')
@RateLimited('whole')
class WholeController {}

@Controller('b')
class PerRouteController {
  @Get()
  @RateLimited('route')
  get() {}

  @Get('free')
  free() {}
}

describe(RateLimitBudgets.name, () => {
  it('should give each budget its limit and refuse one defined twice', () => {
    const budgets = new RateLimitBudgets();
    budgets.define('api', 300);
    expect(budgets.limitOf('api')).toBe(300);
    expect(budgets.has('risc')).toBe(false);
    expect(() => budgets.define('api', 5)).toThrow(
      new Error('rate limit budget "api" defined twice'),
    );
  });

  it('should find the budgets a controller names, on the class or its handlers', () => {
    const reflector = new Reflector();
    expect(budgetsNamedBy(WholeController, reflector)).toEqual(['whole']);
    expect(budgetsNamedBy(PerRouteController, reflector)).toEqual(['route']);
  });
});

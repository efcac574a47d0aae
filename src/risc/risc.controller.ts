import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { SessionOptional } from '../session/session-available.guard.js';
import { JsonErrors } from '../web/json-errors.js';
import { RateLimited } from '../web/rate-limit.js';
import { readRawBody } from '../web/raw-body.js';
import { RiscRejectedError } from './risc.errors.js';
import { RiscService } from './risc.service.js';

/**
 * Google's security events arrive here: no cookie, no session, no CSRF (the SET's signature
 * is the authentication). The body is read raw (RiscModule declares the route; at most
 * RISC_MAX_BODY_BYTES, else 413); errors answer JSON.
 * @see RFC 8935 §2 (push delivery: 202 Accepted, 400 with an error)
 */
@Controller('risc')
@SessionOptional()
@RateLimited('risc')
@JsonErrors()
export class RiscController {
  constructor(private readonly risc: RiscService) {}

  @Post()
  @HttpCode(202)
  async receive(@Req() request: Request): Promise<void> {
    const body = readRawBody(request);
    if (body.length === 0) throw new RiscRejectedError('empty body');
    await this.risc.receive(body.toString('utf8').trim());
  }
}

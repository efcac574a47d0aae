import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { SessionOptional } from '../session/session-available.guard.js';
import { RiscRejectedError } from './risc.errors.js';
import { RiscService } from './risc.service.js';

/**
 * Google's security events arrive here: no cookie, no session, no CSRF (the SET's signature
 * is the authentication). The raw body is read by rawBody() in configureApp.
 * @see RFC 8935 §2 (push delivery: 202 Accepted, 400 with an error)
 */
@Controller('risc')
@SessionOptional()
@UseGuards(ThrottlerGuard)
@SkipThrottle({ signin: true, api: true })
export class RiscController {
  constructor(private readonly risc: RiscService) {}

  @Post()
  @HttpCode(202)
  async receive(@Req() request: Request): Promise<void> {
    const body: unknown = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0) throw new RiscRejectedError('empty body');
    await this.risc.receive(body.toString('utf8').trim());
  }
}

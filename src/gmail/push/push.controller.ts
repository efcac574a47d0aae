import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { SessionOptional } from '../../session/session-available.guard.js';
import { JsonErrors } from '../../web/json-errors.js';
import { RateLimited } from '../../web/rate-limit.js';
import { readRawBody } from '../../web/raw-body.js';
import { PushDisabledError } from './push.errors.js';
import { PushReceiver } from './push-receiver.js';
import { GmailPushSettings } from './push.settings.js';

/**
 * `POST /gmail/push`: Gmail's notifications through a Pub/Sub push subscription. No cookie, no
 * session, no CSRF: the bearer token Pub/Sub signs is the authentication, checked first (401).
 * The body is read raw, capped (GmailModule declares the route); every answer after the
 * token is 204, so Pub/Sub redelivers only what failed to be checked.
 */
@Controller('gmail')
@SessionOptional()
@RateLimited('push')
@JsonErrors()
export class PushController {
  constructor(
    private readonly receiver: PushReceiver,
    private readonly settings: GmailPushSettings,
  ) {}

  @Post('push')
  @HttpCode(204)
  async push(@Req() request: Request, @Headers('authorization') authorization: unknown) {
    if (!this.settings.topic) throw new PushDisabledError('push is off');
    await this.receiver.authenticate(typeof authorization === 'string' ? authorization : undefined);
    await this.receiver.receive(readRawBody(request));
  }
}

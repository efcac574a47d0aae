import { Controller, Get, Query, Redirect, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RateLimited } from '../../web/rate-limit.js';
import { SignInService } from './sign-in.service.js';
import { type CallbackRequest, StateGuard } from './state.guard.js';

/** /oauth and /callback share one budget per client IP (RATE_LIMIT_SIGNIN_PER_MINUTE). */
@Controller()
@RateLimited('signin')
export class SignInController {
  constructor(private readonly signIn: SignInService) {}

  /**
   * Starts a sign-in, or with `scope` (declared scopes) incremental authorization, coming back
   * to `return_to` (a same-origin path) and finishing the parked form post `continue`: 302 to
   * Google's authorization endpoint.
   */
  @Get('oauth')
  @Redirect()
  async start(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Query('scope') scope: unknown,
    @Query('return_to') returnTo: unknown,
    @Query('continue') continuation: unknown,
  ) {
    return {
      url: await this.signIn.start(request, response, { scope, returnTo, continuation }),
      statusCode: 302,
    };
  }

  /** Google's redirect back (the redirect URI); 303 so the browser GETs /home (or return_to). */
  @Get('callback')
  @UseGuards(StateGuard)
  @Redirect()
  async callback(@Req() request: CallbackRequest, @Res({ passthrough: true }) response: Response) {
    return { url: await this.signIn.complete(request, response), statusCode: 303 };
  }
}

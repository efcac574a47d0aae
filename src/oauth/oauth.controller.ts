import { Controller, Get, Post, Query, Redirect, Req, Res, UseGuards } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { CsrfGuard } from './csrf.guard.js';
import { SignInService } from './sign-in.service.js';
import { SignOutService } from './sign-out.service.js';
import { type CallbackRequest, StateGuard } from './state.guard.js';

@Controller()
@SkipThrottle({ api: true, risc: true })
export class OAuthController {
  constructor(
    private readonly signIn: SignInService,
    private readonly signOut: SignOutService,
  ) {}

  /**
   * Starts a sign-in, or with `scope` (declared scopes) incremental authorization, coming back
   * to `return_to` (a same-origin path): 302 to Google's authorization endpoint.
   */
  @Get('oauth')
  @UseGuards(ThrottlerGuard)
  @Redirect()
  async start(
    @Req() request: Request,
    @Query('scope') scope: unknown,
    @Query('return_to') returnTo: unknown,
  ) {
    return { url: await this.signIn.start(request, { scope, returnTo }), statusCode: 302 };
  }

  /** Google's redirect back (the redirect URI); 303 so the browser GETs /home (or return_to). */
  @Get('callback')
  @UseGuards(ThrottlerGuard, StateGuard)
  @Redirect()
  async callback(@Req() request: CallbackRequest, @Res({ passthrough: true }) response: Response) {
    return { url: await this.signIn.complete(request, response), statusCode: 303 };
  }

  @Post('logout')
  @UseGuards(CsrfGuard)
  @Redirect()
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    await this.signOut.signOut(request, response);
    return { url: '/', statusCode: 303 };
  }

  /** Sign out everywhere: every session of this account, on every device and instance. */
  @Post('logout/all')
  @UseGuards(CsrfGuard)
  @Redirect()
  async logoutAll(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    await this.signOut.signOutEverywhere(request, response);
    return { url: '/', statusCode: 303 };
  }

  @Post('disconnect')
  @UseGuards(CsrfGuard)
  @Redirect()
  async disconnect(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    await this.signOut.disconnect(request, response);
    return { url: '/', statusCode: 303 };
  }
}

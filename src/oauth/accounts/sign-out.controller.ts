import { Controller, Post, Redirect, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CsrfGuard } from './csrf.guard.js';
import { SignOutService } from './sign-out.service.js';

/** The three ways out (see SignOutService), each a form post carrying the CSRF token. */
@Controller()
export class SignOutController {
  constructor(private readonly signOut: SignOutService) {}

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

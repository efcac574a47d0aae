import { Controller, Get, Render, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { NotSignedInError } from '../oauth.errors.js';
import { AccountPage } from './account.page.js';
import { AccountsService } from './accounts.service.js';
import { SignedInGuard } from './signed-in.guard.js';

@Controller()
export class AccountController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly page: AccountPage,
  ) {}

  /** The account's sessions, its granted scopes and the ways out. */
  @Get('account')
  @UseGuards(SignedInGuard)
  @Render('account')
  async account(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const account = await this.accounts.current(request.session);
    if (!account) throw new NotSignedInError('not signed in');
    response.setHeader('Cache-Control', 'no-store');
    return this.page.render(request.session, account, String(response.locals.locale));
  }
}

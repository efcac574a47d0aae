import { Controller, Get, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccountPage } from './account.page.js';
import { AccountsService } from './accounts.service.js';
import { RequiresGoogleScopes } from './google-scope.guard.js';
import { NotSignedInError } from './oauth.errors.js';

@Controller()
export class AccountController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly page: AccountPage,
  ) {}

  /** The account's sessions, its granted scopes and the ways out. */
  @Get('account')
  @RequiresGoogleScopes()
  @Render('account')
  async account(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const account = await this.accounts.current(request.session);
    if (!account) throw new NotSignedInError('not signed in');
    response.setHeader('Cache-Control', 'no-store');
    return this.page.render(request.session, account, String(response.locals.locale));
  }
}

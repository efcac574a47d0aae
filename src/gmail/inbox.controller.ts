import { Controller, Get, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SignedInUser } from '../common/session.types.js';
import { RequiresGoogleScopes, returnPathOrUndefined } from '../oauth/index.js';
import { takeActionStatus } from './actions/action-status.js';
import { GMAIL_READONLY_SCOPE } from './gmail.scope.js';
import { InboxService } from './inbox.service.js';
import { InboxView } from './inbox.view.js';

@Controller()
@RequiresGoogleScopes(GMAIL_READONLY_SCOPE)
export class InboxController {
  constructor(
    private readonly inbox: InboxService,
    private readonly view: InboxView,
  ) {}

  /** The unread inbox; `page` is a signed cursor from a previous page's links. */
  @Get('home')
  @Render('home')
  async home(
    @Req() request: Request & { session: { user: SignedInUser } },
    @Query('page') cursor: unknown,
    @Res({ passthrough: true }) response: Response,
  ) {
    const page = await this.inbox.page(request.session, cursor);
    response.setHeader('Cache-Control', 'no-store');
    return {
      ...this.view.render(page, response.locals.locale),
      // The action forms come back here; the last action's status is shown once.
      returnTo: returnPathOrUndefined(request.originalUrl) ?? '/home',
      actionStatus: takeActionStatus(request.session),
    };
  }
}

import { Controller, Get, Param, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SignedInUser } from '../common/session.types.js';
import { RequiresGoogleScopes, returnPathOrUndefined } from '../oauth/index.js';
import { takeActionStatus } from './actions/action-status.js';
import { GMAIL_READONLY_SCOPE } from './gmail.scope.js';
import { MessageService } from './message.service.js';
import { MessageView } from './message.view.js';

@Controller('messages')
@RequiresGoogleScopes(GMAIL_READONLY_SCOPE)
export class MessageController {
  constructor(
    private readonly messages: MessageService,
    private readonly view: MessageView,
  ) {}

  /** One message; `view=plain` shows an HTML mail as text. */
  @Get(':id')
  @Render('message')
  async show(
    @Req() request: Request & { session: { user: SignedInUser } },
    @Param('id') id: string,
    @Query('view') mode: unknown,
    @Res({ passthrough: true }) response: Response,
  ) {
    const rendering = mode === 'plain' ? 'plain' : 'formatted';
    const message = await this.messages.read(request.session, id, rendering);
    response.setHeader('Cache-Control', 'no-store');
    return {
      ...this.view.render(message, rendering, response.locals.locale, request.session.user.sub),
      returnTo: returnPathOrUndefined(request.originalUrl) ?? `/messages/${message.id}`,
      actionStatus: takeActionStatus(request.session),
    };
  }
}

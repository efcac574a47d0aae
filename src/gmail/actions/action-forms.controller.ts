import { Controller, Post, Redirect, Req } from '@nestjs/common';
import type { Request } from 'express';
import {
  CsrfGuard,
  NotResumableAfterConsent,
  RequiresGoogleScopes,
  ResumableAfterConsent,
} from '../../oauth/index.js';
import { RateLimited } from '../../web/rate-limit.js';
import { UseGuards } from '@nestjs/common';
import { GMAIL_MODIFY_SCOPE } from '../gmail.scope.js';
import { ActionForms, MAIL_ACTION_FORM } from './action-forms.js';

/**
 * The action forms (no JavaScript needed): each carries the session's `_csrf` and `return_to`
 * (the page it is on) and answers 303 back there, where the status line offers the undo.
 * Without gmail.modify, the post is parked and the browser goes to Google's consent for it
 * first (ResumableAfterConsent); the callback finishes it.
 * Guards run bottom-up here: the rate limit, the CSRF token, then the scope.
 */
@Controller('messages')
@RequiresGoogleScopes(GMAIL_MODIFY_SCOPE)
@ResumableAfterConsent(MAIL_ACTION_FORM)
@UseGuards(CsrfGuard)
@RateLimited('api')
export class ActionFormsController {
  constructor(private readonly forms: ActionForms) {}

  /** `action` (read, unread or archive) on `ids` (a repeated field). */
  @Post('bulk')
  @Redirect()
  bulk(@Req() request: Request) {
    return this.redirect(request);
  }

  /**
   * Puts back what the action of `token` changed. Not parked: its token is bound to this
   * session's CSRF token, which the consent's new session replaces.
   */
  @Post('undo')
  @NotResumableAfterConsent()
  @Redirect()
  undo(@Req() request: Request) {
    return this.redirect(request);
  }

  @Post(':id/read')
  @Redirect()
  read(@Req() request: Request) {
    return this.redirect(request);
  }

  @Post(':id/unread')
  @Redirect()
  unread(@Req() request: Request) {
    return this.redirect(request);
  }

  @Post(':id/archive')
  @Redirect()
  archive(@Req() request: Request) {
    return this.redirect(request);
  }

  private async redirect(request: Request) {
    const fields = (request.body ?? {}) as Record<string, unknown>;
    return { url: await this.forms.run(request, request.path, fields), statusCode: 303 };
  }
}

import { Body, Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { CsrfGuard, RequiresGoogleScopes } from '../../oauth/index.js';
import {
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrorAnswers } from '../../web/api-error.answer.js';
import { JsonErrors } from '../../web/json-errors.js';
import { ActionAnswer, BulkActionBody, UndoBody } from './action.answers.js';
import { RateLimited } from '../../web/rate-limit.js';
import { GMAIL_MODIFY_SCOPE } from '../gmail.scope.js';
import {
  type ActionRequest,
  actionRequestOf,
  type MailAction,
  messageIdsOf,
} from './mail-action.js';
import { type ActionOutcome, MailActions, type SignedInSession } from './mail-actions.js';

/**
 * The actions as JSON, for the page script and other clients: session cookie plus the session's
 * CSRF token in `X-CSRF-Token`. Without gmail.modify: 403 `scope_missing` (the page script then
 * posts the form itself, which goes to Google's consent). Guards run bottom-up: rate limit,
 * CSRF token, scope.
 */
@Controller('api/messages')
@RequiresGoogleScopes(GMAIL_MODIFY_SCOPE)
@UseGuards(CsrfGuard)
@RateLimited('api')
@JsonErrors()
@ApiTags('actions')
// Both at once (one requirement object): the session cookie and its CSRF token.
@ApiSecurity({ session: [], csrf: [] })
@ApiErrorAnswers()
export class ActionApiController {
  constructor(private readonly actions: MailActions) {}

  /** `{ action, ids }`. */
  @Post('bulk')
  @HttpCode(200)
  @ApiOkResponse({ type: ActionAnswer })
  @ApiOperation({ summary: 'One action on many messages (batchModify, 1,000 ids a call)' })
  @ApiBody({ type: BulkActionBody })
  bulk(@Req() request: Request, @Body() body: unknown) {
    const { action, ids } = (body ?? {}) as { action?: unknown; ids?: unknown };
    return this.perform(request, actionRequestOf(action, ids));
  }

  /** `{ token }`: the undo an action answered. */
  @Post('undo')
  @HttpCode(200)
  @ApiOkResponse({ type: ActionAnswer })
  @ApiOperation({ summary: 'Puts back exactly what an action changed' })
  @ApiBody({ type: UndoBody })
  async undo(@Req() request: Request, @Body() body: unknown) {
    const token = (body as { token?: unknown } | undefined)?.token;
    return answer(await this.actions.undo(request.session as SignedInSession, token));
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: ActionAnswer })
  @ApiOperation({ summary: 'Mark as read (remove UNREAD)' })
  @ApiParam({ name: 'id', description: "Gmail's message id (hex)" })
  read(@Req() request: Request, @Param('id') id: string) {
    return this.one(request, 'read', id);
  }

  @Post(':id/unread')
  @HttpCode(200)
  @ApiOkResponse({ type: ActionAnswer })
  @ApiOperation({ summary: 'Mark as unread (add UNREAD)' })
  @ApiParam({ name: 'id', description: "Gmail's message id (hex)" })
  unread(@Req() request: Request, @Param('id') id: string) {
    return this.one(request, 'unread', id);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOkResponse({ type: ActionAnswer })
  @ApiOperation({ summary: 'Archive (remove INBOX)' })
  @ApiParam({ name: 'id', description: "Gmail's message id (hex)" })
  archive(@Req() request: Request, @Param('id') id: string) {
    return this.one(request, 'archive', id);
  }

  private one(request: Request, action: MailAction, id: string) {
    return this.perform(request, { action, ids: messageIdsOf(id) });
  }

  private async perform(request: Request, action: ActionRequest) {
    return answer(await this.actions.perform(request.session as SignedInSession, action));
  }
}

/** The JSON answer: what was asked, what changed, the undo (null after an undo). */
function answer(outcome: ActionOutcome) {
  return {
    action: outcome.action,
    ids: outcome.ids,
    changed: outcome.changed,
    undo: outcome.undo ?? null,
    unreadCount: outcome.unreadCount ?? null,
  };
}

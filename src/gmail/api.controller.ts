import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SignedInUser } from '../common/session.types.js';
import { RequiresGoogleScopes } from '../oauth/index.js';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrorAnswers } from '../web/api-error.answer.js';
import { JsonErrors } from '../web/json-errors.js';
import { FailedRowAnswer, InboxPageAnswer, InboxRowAnswer, MessageAnswer } from './api.answers.js';
import { RateLimited } from '../web/rate-limit.js';
import { GMAIL_READONLY_SCOPE } from './gmail.scope.js';
import { InboxService } from './inbox.service.js';
import { MessageService } from './message.service.js';
import { AttachmentDownloads } from './attachments/attachment-downloads.js';
import { AttachmentLinks } from './attachments/attachment-links.js';

/**
 * The same data as the pages, as JSON, for scripts and other services. Session-authenticated
 * (401 JSON without a session, never a redirect); errors are {error:{code,message}}.
 */
@Controller('api/messages')
@RequiresGoogleScopes(GMAIL_READONLY_SCOPE)
@RateLimited('api')
@JsonErrors()
@ApiTags('messages')
@ApiSecurity('session')
@ApiErrorAnswers()
@ApiExtraModels(InboxRowAnswer, FailedRowAnswer)
export class ApiController {
  constructor(
    private readonly inbox: InboxService,
    private readonly messages: MessageService,
    private readonly links: AttachmentLinks,
    private readonly downloads: AttachmentDownloads,
  ) {}

  /** The unread inbox, one page (PAGE_SIZE) at a time; `pageToken` is the previous answer's `nextPageToken`. */
  @Get()
  @ApiOperation({ summary: 'Unread in Inbox, one page (50) at a time' })
  @ApiQuery({
    name: 'pageToken',
    required: false,
    description: 'The previous answer’s `nextPageToken`',
  })
  @ApiOkResponse({ type: InboxPageAnswer })
  async list(
    @Req() request: Request & { session: { user: SignedInUser } },
    @Query('pageToken') pageToken: unknown,
  ) {
    const page = await this.inbox.page(request.session, pageToken);
    return {
      unreadCount: page.unreadCount,
      messages: page.rows.map((row) =>
        'failed' in row
          ? { id: row.id, error: 'could_not_load' }
          : {
              id: row.id,
              threadId: row.threadId,
              from: row.from,
              subject: row.subject,
              date: row.date,
              receivedAt: new Date(row.internalDate).toISOString(),
              snippet: row.snippet,
            },
      ),
      nextPageToken: page.olderCursor ?? null,
      stale: page.staleRetryAfterSeconds !== undefined,
    };
  }

  /** One message: headers, decoded text, sanitized HTML, attachments. */
  @Get(':id')
  @ApiOperation({ summary: 'One message: headers, decoded text, sanitized HTML, attachments' })
  @ApiParam({ name: 'id', description: "Gmail's message id (hex)" })
  @ApiOkResponse({ type: MessageAnswer })
  async get(
    @Req() request: Request & { session: { user: SignedInUser } },
    @Param('id') id: string,
  ) {
    const message = await this.messages.read(request.session, id, 'api');
    const sub = request.session.user.sub;
    return {
      id: message.id,
      threadId: message.threadId,
      ...message.headers,
      receivedAt: new Date(message.internalDate).toISOString(),
      unread: message.unread,
      text: message.text ?? null,
      html: message.html?.html ?? null,
      clipped: message.clipped,
      attachments: message.attachments.map((attachment) => ({
        ...attachment,
        // A sealed link (24 h, this account): the download needs no messages.get of its own.
        downloadUrl: this.links.href('/api/messages', sub, message.id, attachment) ?? null,
      })),
    };
  }

  /** One attachment's bytes (`downloadUrl` of the message's answer): a download, streamed. */
  @Get(':id/attachments/:attachmentId')
  @ApiOperation({ summary: 'One attachment’s bytes, streamed (its `downloadUrl`)' })
  @ApiParam({ name: 'id', description: "Gmail's message id (hex)" })
  @ApiParam({ name: 'attachmentId', description: "Gmail's attachment id" })
  @ApiQuery({ name: 'd', required: true, description: 'The sealed details of `downloadUrl`' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({
    description: 'The file, `Content-Disposition: attachment` (its type when on a short safe list)',
    content: {
      'application/octet-stream': {
        schema: { type: 'string', contentMediaType: 'application/octet-stream' },
      },
    },
  })
  download(
    @Req() request: Request & { session: { user: SignedInUser } },
    @Res() response: Response,
    @Param('id') id: string,
    @Param('attachmentId') attachmentId: string,
    @Query('d') link: unknown,
  ) {
    return this.downloads.send(request.session, request.method, response, id, attachmentId, link);
  }
}

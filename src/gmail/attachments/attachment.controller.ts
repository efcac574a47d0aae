import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SignedInUser } from '../../common/session.types.js';
import { RequiresGoogleScopes } from '../../oauth/index.js';
import { GMAIL_READONLY_SCOPE } from '../gmail.scope.js';
import { AttachmentDownloads } from './attachment-downloads.js';

/** The message page's attachment links: a download (`d` is the link's sealed details). */
@Controller('messages')
@RequiresGoogleScopes(GMAIL_READONLY_SCOPE)
export class AttachmentController {
  constructor(private readonly downloads: AttachmentDownloads) {}

  @Get(':id/attachments/:attachmentId')
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

import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

/** The JSON API's answers, as the OpenAPI document describes them (GET /api/openapi.json). */

const MESSAGE_ID = { description: "Gmail's message id (hex)", pattern: '^[0-9a-f]{6,32}$' };

export class InboxRowAnswer {
  @ApiProperty(MESSAGE_ID)
  id!: string;
  @ApiProperty()
  threadId!: string;
  @ApiProperty({ description: 'The From header, as sent' })
  from!: string;
  @ApiProperty()
  subject!: string;
  @ApiProperty({ description: 'The Date header, as sent' })
  date!: string;
  @ApiProperty({ format: 'date-time', description: 'When Gmail received it' })
  receivedAt!: string;
  @ApiProperty({ description: 'Plain text (entities decoded)' })
  snippet!: string;
}

export class FailedRowAnswer {
  @ApiProperty(MESSAGE_ID)
  id!: string;
  @ApiProperty({ enum: ['could_not_load'] })
  error!: string;
}

export class InboxPageAnswer {
  @ApiProperty({ description: 'Unread messages in the Inbox (the Inbox label’s count)' })
  unreadCount!: number;
  @ApiProperty({
    type: 'array',
    items: {
      oneOf: [{ $ref: getSchemaPath(InboxRowAnswer) }, { $ref: getSchemaPath(FailedRowAnswer) }],
    },
  })
  messages!: (InboxRowAnswer | FailedRowAnswer)[];
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'The next (older) page’s `pageToken`',
  })
  nextPageToken!: string | null;
  @ApiProperty({ description: 'Gmail refused for quota: this is the list as last loaded' })
  stale!: boolean;
}

export class AttachmentAnswer {
  @ApiProperty()
  partId!: string;
  @ApiProperty({ description: "`''` when the sender gave no name" })
  filename!: string;
  @ApiProperty()
  mimeType!: string;
  @ApiProperty({ description: "The file's bytes" })
  size!: number;
  @ApiPropertyOptional({
    description: 'For Gmail’s attachments.get; absent for a part without one',
  })
  attachmentId?: string;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'GET it for the bytes (a sealed link, 24 hours, this account)',
  })
  downloadUrl!: string | null;
}

export class MessageAnswer {
  @ApiProperty(MESSAGE_ID)
  id!: string;
  @ApiProperty()
  threadId!: string;
  @ApiPropertyOptional()
  from?: string;
  @ApiPropertyOptional()
  to?: string;
  @ApiPropertyOptional()
  cc?: string;
  @ApiPropertyOptional({ description: 'The Date header, as sent' })
  date?: string;
  @ApiPropertyOptional()
  subject?: string;
  @ApiProperty({ format: 'date-time' })
  receivedAt!: string;
  @ApiProperty()
  unread!: boolean;
  @ApiProperty({ type: 'string', nullable: true, description: 'The text body, decoded' })
  text!: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'The HTML body, sanitized' })
  html!: string | null;
  @ApiProperty({ description: 'A body was cut at MAIL_RENDER_MAX_BYTES' })
  clipped!: boolean;
  @ApiProperty({ type: [AttachmentAnswer] })
  attachments!: AttachmentAnswer[];
}

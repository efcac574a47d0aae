import { ApiProperty } from '@nestjs/swagger';
import { MAIL_ACTIONS, MAX_ACTION_IDS } from './mail-action.js';

export class BulkActionBody {
  @ApiProperty({ enum: MAIL_ACTIONS })
  action!: string;
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: MAX_ACTION_IDS,
    description: "Gmail's message ids (hex)",
  })
  ids!: string[];
}

export class UndoBody {
  @ApiProperty({ description: 'The `undo` of an action’s answer (this session only)' })
  token!: string;
}

export class ActionAnswer {
  @ApiProperty({
    enum: [...MAIL_ACTIONS, 'inbox'],
    description: 'What was done (`inbox`: an archive undone)',
  })
  action!: string;
  @ApiProperty({ type: [String], description: 'The ids asked for' })
  ids!: string[];
  @ApiProperty({ type: [String], description: 'Those whose labels really changed' })
  changed!: string[];
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'POST it to /api/messages/undo to put back `changed` (null after an undo)',
  })
  undo!: string | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Unread in the Inbox afterwards (null: not known yet)',
  })
  unreadCount!: number | null;
}

import { Controller, Get, Req } from '@nestjs/common';
import type { Request } from 'express';
import { RequiresGoogleScopes } from '../../src/oauth/index.js';
import { TASKS_SCOPE } from './tasks.scope.js';
import { TasksService } from './tasks.service.js';

@Controller('tasks')
@RequiresGoogleScopes(TASKS_SCOPE)
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  /** The task lists' titles, as JSON. */
  @Get()
  async list(@Req() request: Request) {
    return { lists: await this.tasks.listTitles(request.session) };
  }
}

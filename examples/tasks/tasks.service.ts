import { Injectable } from '@nestjs/common';
import { UpstreamFields } from '../../src/common/upstream-fields.js';
import { GoogleApiClient } from '../../src/oauth/index.js';
import { TASKS_API_NAME } from './tasks.scope.js';
import { TasksSettings } from './tasks.settings.js';
import type { AppSession } from '../../src/common/session.types.js';

/** Google Tasks through the core's authorized client (bearer, refresh and retry, errors mapped). */
@Injectable()
export class TasksService {
  constructor(
    private readonly google: GoogleApiClient,
    private readonly settings: TasksSettings,
  ) {}

  /** The titles of the user's task lists (tasklists.list). */
  async listTitles(session: AppSession): Promise<string[]> {
    const body = await this.google.getJson(session, {
      api: TASKS_API_NAME,
      upstream: 'tasks_lists',
      url: `${this.settings.apiUrl}/tasks/v1/users/@me/lists`,
    });
    return new UpstreamFields('tasks_lists', body)
      .array('items')
      .map((item) => item.string('title'));
  }
}

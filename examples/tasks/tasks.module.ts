import { Module } from '@nestjs/common';
import { GoogleFeatureModule } from '../../src/oauth/index.js';
import { TasksController } from './tasks.controller.js';
import { TASKS_MESSAGES } from './tasks.messages.js';
import { TASKS_API_NAME, TASKS_SCOPE } from './tasks.scope.js';
import { TasksService } from './tasks.service.js';
import { TasksSettings } from './tasks.settings.js';

/**
 * An example Google feature (README, "Adding a Google API feature"): one folder, joined to the
 * service by one entry in FEATURES (src/app.module.ts). Its settings and text come with it.
 */
@Module({
  // Tasks are not the app's purpose: asked for only when a Tasks page is first opened.
  imports: [
    GoogleFeatureModule.forFeature({
      api: TASKS_API_NAME,
      scopes: [{ scope: TASKS_SCOPE, atSignIn: false, label: 'tasks.scope' }],
    }),
  ],
  controllers: [TasksController],
  providers: [TasksService],
})
export class TasksModule {
  static readonly settings = [TasksSettings];
  static readonly messages = TASKS_MESSAGES;
}

import { setting, settingsOf } from '../../src/config/settings.js';

/** The Tasks feature's settings: read in the service's one parse of the environment. */
export class TasksSettings extends settingsOf({
  apiUrl: setting.url('TASKS_API_URL', {
    default: 'https://tasks.googleapis.com',
    description: 'Base of `/tasks/v1/...` (the example feature in `examples/tasks/`).',
  }),
}) {}

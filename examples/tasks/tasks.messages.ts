import type { MessageCatalogue } from '../../src/i18n/i18n.js';

/** The Tasks feature's text, in every language the service speaks (checked at registration). */
export const TASKS_MESSAGES = {
  en: {
    'tasks.scope': 'View your tasks',
    'tasks.listCount': '{count} task lists',
  },
  ja: {
    'tasks.scope': 'タスクの表示',
    'tasks.listCount': 'タスクリスト {count} 件',
  },
} satisfies MessageCatalogue;

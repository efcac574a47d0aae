/** Google Tasks, read-only: asked for by incremental authorization when /tasks is first opened. */
export const TASKS_SCOPE = 'https://www.googleapis.com/auth/tasks.readonly';
export const TASKS_API_NAME = 'Tasks';

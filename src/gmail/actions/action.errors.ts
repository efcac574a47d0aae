import { AppError } from '../../common/app.error.js';

/** Gmail's quota (the account's budget, or Google's own 429) left the action undone. */
export class ActionOverBudgetError extends AppError {
  readonly status = 503;
  readonly code = 'action_over_budget';
  constructor(
    override readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super('Gmail quota: the action was not done', options);
  }
}

/**
 * More than 1,000 ids (several batchModify calls): Gmail did the first `changed` and then
 * failed, so the rest are as they were. Said as such, never as "nothing changed".
 */
export class ActionPartlyDoneError extends AppError {
  readonly status = 503;
  readonly code = 'action_partly_done';
  constructor(
    readonly changed: number,
    override readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(`Gmail changed the first ${changed} messages, then failed`, options);
  }
}

import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { BadInputError } from '../../common/app.error.js';
import type { ParkedForm } from '../../common/session.types.js';
import { returnPathOrUndefined } from '../../oauth/index.js';
import { statusOf } from './action-status.js';
import { type ActionRequest, actionRequestOf, isMailAction, messageIdsOf } from './mail-action.js';
import { MailActions, type SignedInSession } from './mail-actions.js';

/** The continuation kind of the action forms (ConsentContinuations). */
export const MAIL_ACTION_FORM = 'gmail-action';
const ONE_MESSAGE = /^\/messages\/([^/]+)\/([a-z]+)$/;

/**
 * The action forms without JavaScript: do it, leave the status line (with the undo) for the
 * next page, and name the page to go back to. Also finishes a form parked for gmail.modify's
 * consent, in the callback.
 */
@Injectable()
export class ActionForms {
  constructor(private readonly actions: MailActions) {}

  /** `path` is the route posted to, `fields` the form's fields; answers where to go next. */
  async run(request: Request, path: string, fields: Record<string, unknown>): Promise<string> {
    const session = request.session as SignedInSession;
    const back = returnPathOrUndefined(fields.return_to) ?? '/home';
    if (path === '/messages/undo') {
      session.mailActionStatus = statusOf(await this.actions.undo(session, fields.token), true);
      return back;
    }
    if (path === '/messages/bulk' && fields.ids === undefined) {
      // Nothing ticked: said on the page, not an error page.
      session.mailActionStatus = { key: 'actions.noneSelected', count: 0 };
      return back;
    }
    const done = await this.actions.perform(session, this.requestOf(path, fields));
    session.mailActionStatus = statusOf(done, false);
    return back;
  }

  /** The consent's callback: the parked post, in the new session. */
  finish(request: Request, form: ParkedForm): Promise<string> {
    return this.run(request, form.path, { ...form.fields, return_to: form.returnTo });
  }

  private requestOf(path: string, fields: Record<string, unknown>): ActionRequest {
    if (path === '/messages/bulk') return actionRequestOf(fields.action, fields.ids);
    const [, id, action] = ONE_MESSAGE.exec(path) ?? [];
    if (!isMailAction(action)) throw new BadInputError('no such action');
    return { action, ids: messageIdsOf(id) };
  }
}

import type { AccountDirectory } from './accounts.js';
import { escapeHtml } from './html.js';
import { readBody } from './http-io.js';
import { arrivingMessage } from './message-builder.js';
import type { Exchange } from './route.js';

/**
 * The demo's way to play someone else's part at Gmail (/gmail/console): deliver a new message
 * to a demo mailbox, or read its newest unread message "on the phone", while the person
 * watches the open inbox follow without a reload.
 */
export class MailConsole {
  constructor(private readonly accounts: AccountDirectory) {}

  async handle({ request, response }: Exchange): Promise<void> {
    const result =
      request.method === 'POST' ? this.act(new URLSearchParams(await readBody(request))) : '';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.page(result));
  }

  /** Does what the form asks; returns the line the page shows. */
  private act(form: URLSearchParams): string {
    const account = this.accounts.list().find((known) => known.email === form.get('email'));
    const mailbox = account ? this.accounts.mailbox(account.sub) : undefined;
    if (!account || !mailbox) return 'Pick an account.';
    if (form.get('action') === 'read') {
      const [newest] = mailbox.inboxUnread();
      if (!newest) return `${account.email} has no unread mail in the Inbox.`;
      mailbox.modifyLabels(newest.id, { remove: ['UNREAD'] });
      return `Read the newest unread message of ${account.email}.`;
    }
    const subject = (form.get('subject') ?? '').trim().slice(0, 200) || 'Hello from the console';
    mailbox.deliver(arrivingMessage(account.email, mailbox, { subject }));
    return `Delivered "${subject}" to ${account.email}.`;
  }

  private page(result: string): string {
    const accounts = this.accounts
      .listed()
      .map((account) => `<option>${escapeHtml(account.email)}</option>`)
      .join('');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mail console</title></head><body>
<h1>Gmail: someone else's side</h1>
<p>Changes a demo mailbox the way mail arriving, or a phone reading it, would. An open inbox page follows by itself.</p>
<form method="post"><label>Account <select name="email">${accounts}</select></label>
<label>Subject <input name="subject" value="Hello from the console"></label>
<button name="action" value="deliver">Deliver a new message</button>
<button name="action" value="read">Read the newest unread message</button></form>
<p role="status">${escapeHtml(result)}</p></body></html>`;
  }
}

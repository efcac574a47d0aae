import type { AccountDirectory } from './accounts.js';
import { escapeHtml } from './html.js';
import { readBody } from './http-io.js';
import type { RiscTransmitter } from './risc-transmitter.js';
import type { Exchange } from './route.js';

/** What the console offers (token-revoked names a token: the tests send that one). */
const CONSOLE_EVENTS: string[] = [
  'sessions-revoked',
  'tokens-revoked',
  'account-disabled',
  'account-enabled',
  'account-credential-change-required',
];

/**
 * The demo's way to play Google's Cross-Account Protection (/risc/console): pick an account and
 * an event, and the transmitter sends it to the service (setRiscReceiver) while the person
 * watches the account's sessions end.
 */
export class RiscConsole {
  private receiver?: { url: string; audience: string };

  constructor(
    private readonly accounts: AccountDirectory,
    private readonly risc: RiscTransmitter,
  ) {}

  setReceiver(url: string, audience: string): void {
    this.receiver = { url, audience };
  }

  async handle({ request, response }: Exchange): Promise<void> {
    const result =
      request.method === 'POST'
        ? await this.send(new URLSearchParams(await readBody(request)))
        : '';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.page(result));
  }

  /** Sends the event the form names; returns the line the page shows. */
  private async send(form: URLSearchParams): Promise<string> {
    const type = form.get('type') ?? '';
    const account = this.accounts.list().find((known) => known.email === form.get('email'));
    if (!this.receiver) return 'No receiver set (setRiscReceiver).';
    if (!account || !CONSOLE_EVENTS.includes(type)) return 'Pick an account and an event.';
    const body: Record<string, unknown> = { subject: this.risc.subject(account.sub) };
    if (type === 'account-disabled') body.reason = 'hijacking';
    const token = await this.risc.sign([{ type, body }], { audience: this.receiver.audience });
    const answer = await this.risc.send(this.receiver.url, token);
    return `${type} for ${account.email}: the service answered ${answer.status}`;
  }

  private page(result: string): string {
    const accounts = this.accounts
      .listed()
      .map((account) => `<option>${escapeHtml(account.email)}</option>`)
      .join('');
    const types = CONSOLE_EVENTS.map((type) => `<option>${type}</option>`).join('');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Security events</title></head><body>
<h1>Cross-Account Protection (RISC) transmitter</h1>
<p>Sends a signed security event to ${escapeHtml(this.receiver?.url ?? '(no receiver)')}.</p>
<form method="post"><label>Account <select name="email">${accounts}</select></label>
<label>Event <select name="type">${types}</select></label> <button>Send</button></form>
<p role="status">${escapeHtml(result)}</p></body></html>`;
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Interaction, Provider } from 'oidc-provider';
import type { AccountDirectory } from './accounts.js';
import { GMAIL_MODIFY_SCOPE, GMAIL_RESOURCE, GMAIL_SCOPE } from './authorization-server.js';
import type { GrantBook } from './grants.js';
import { escapeHtml } from './html.js';
import type { RegisteredApis } from './registered-apis.js';

const SCOPE_LABELS: Record<string, string> = {
  openid: 'Associate you with your personal info on Google',
  email: 'See your primary Google Account email address',
  profile: 'See your personal info, including any personal info you’ve made publicly available',
  [GMAIL_SCOPE]: 'View your email messages and settings',
};

/**
 * The login and consent steps, as small server-rendered pages. Field labels ("Email",
 * "Password") and buttons ("Next", "Allow", "Cancel") are stable: consentAtEmulator and the
 * browser tests drive them.
 */
export class InteractionPages {
  constructor(
    private readonly provider: Provider,
    private readonly accounts: AccountDirectory,
    private readonly grants: GrantBook,
    private readonly apis: RegisteredApis,
  ) {}

  async handle(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    form: URLSearchParams,
  ): Promise<void> {
    const [, , uid, action] = path.split('/');
    let details: Interaction;
    try {
      details = await this.provider.interactionDetails(request, response);
    } catch {
      // No interaction cookie, or it expired: the sign-in has to start again from the client.
      return send(response, 400, page('Error', '<p>This sign-in has expired. Start again.</p>'));
    }
    if (details.uid !== uid)
      return send(response, 400, page('Error', '<p>Unknown interaction.</p>'));
    if (request.method === 'GET' && !action) {
      return details.prompt.name === 'login'
        ? send(response, 200, this.loginPage(uid, param(details, 'login_hint') ?? '', ''))
        : send(response, 200, this.consentPage(uid, details));
    }
    if (request.method !== 'POST')
      return send(response, 405, page('Error', '<p>Method not allowed.</p>'));
    if (action === 'login') return this.login(request, response, uid, form);
    if (action === 'confirm') return this.confirm(request, response, form);
    if (action === 'abort') {
      return this.provider.interactionFinished(
        request,
        response,
        {
          error: 'access_denied',
          error_description: 'The user denied access.',
        },
        { mergeWithLastSubmission: false },
      );
    }
    send(response, 404, page('Error', '<p>Not found.</p>'));
  }

  private async login(
    request: IncomingMessage,
    response: ServerResponse,
    uid: string,
    form: URLSearchParams,
  ) {
    const email = form.get('email') ?? '';
    const account = this.accounts.login(email, form.get('password') ?? '');
    if (!account) {
      return send(
        response,
        200,
        this.loginPage(
          uid,
          email,
          'Wrong email or password. Demo accounts use the password "demo".',
        ),
      );
    }
    await this.provider.interactionFinished(
      request,
      response,
      { login: { accountId: account.sub } },
      {
        mergeWithLastSubmission: false,
      },
    );
  }

  /**
   * Granular consent: an unticked Gmail box grants only the identity scopes, like Google's; so
   * does an unticked box of a registered API's scope. With include_granted_scopes=true the
   * scopes granted to the client before are granted again and join the request, so that the
   * code, the access token and the token response's `scope` carry them, as Google's do; a scope
   * requested again and unticked now is left out.
   */
  private async confirm(request: IncomingMessage, response: ServerResponse, form: URLSearchParams) {
    const details = await this.provider.interactionDetails(request, response);
    const accountId = details.session?.accountId;
    const clientId = param(details, 'client_id');
    if (!accountId || !clientId) return send(response, 400, page('Error', '<p>Sign in first.</p>'));
    // Each consent is a new grant (as before the account's grants were remembered across
    // browsers); the one loaded to skip consent stays as it was.
    const grant = new this.provider.Grant({ accountId, clientId });
    const { missingOIDCScope, missingOIDCClaims } = details.prompt.details;
    const missingScopes = isStrings(missingOIDCScope) ? missingOIDCScope : [];
    // The Gmail scope is declared for discovery but granted per resource (below), never as an
    // OpenID scope, so that refusing it really leaves it out of the access token.
    const requestedIdentity = (param(details, 'scope') ?? '')
      .split(' ')
      .filter((scope) => scope in SCOPE_LABELS && scope !== GMAIL_SCOPE);
    const gmailScopes = [GMAIL_SCOPE, GMAIL_MODIFY_SCOPE];
    const oidcScopes = [...new Set([...requestedIdentity, ...missingScopes])].filter(
      (scope) => !gmailScopes.includes(scope),
    );
    if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(' '));
    for (const scope of gmailScopes) {
      if (missingScopes.includes(scope)) grant.rejectOIDCScope(scope);
    }
    if (isStrings(missingOIDCClaims)) grant.addOIDCClaims(missingOIDCClaims);
    const requested = (param(details, 'scope') ?? '').split(' ').filter(Boolean);
    const refused = new Set<string>();
    if (requested.includes(GMAIL_SCOPE)) {
      if (form.get('gmail') === 'on') grant.addResourceScope(GMAIL_RESOURCE, GMAIL_SCOPE);
      else refused.add(GMAIL_SCOPE);
    }
    const ticked = form.getAll('scope');
    for (const { scope } of [{ scope: GMAIL_MODIFY_SCOPE }, ...this.apis.list()]) {
      if (!requested.includes(scope)) continue;
      if (ticked.includes(scope)) grant.addResourceScope(GMAIL_RESOURCE, scope);
      else refused.add(scope);
    }
    for (const scope of refused) grant.rejectResourceScope(GMAIL_RESOURCE, scope);
    if (param(details, 'include_granted_scopes') === 'true') {
      const before = this.grants
        .grantedBefore(accountId, clientId)
        .filter((scope) => !refused.has(scope) && !requested.includes(scope));
      if (before.length > 0) {
        const identity = before.filter((scope) => scope in SCOPE_LABELS && scope !== GMAIL_SCOPE);
        const apis = before.filter((scope) => !identity.includes(scope));
        if (identity.length > 0) grant.addOIDCScope(identity.join(' '));
        for (const scope of apis) grant.addResourceScope(GMAIL_RESOURCE, scope);
        // Granted per resource, never as an OpenID scope: without this, the joined scope list
        // finds it "missing" and shows the consent page a second time.
        if (apis.includes(GMAIL_SCOPE)) grant.rejectOIDCScope(GMAIL_SCOPE);
        details.params.scope = [...requested, ...before].join(' ');
        await details.save(Math.max(details.exp - Math.floor(Date.now() / 1000), 1));
      }
    }
    const grantId = await grant.save();
    if (param(details, 'access_type') === 'offline') this.grants.offline.add(grantId);
    this.grants.consented.add(grantId);
    await this.provider.interactionFinished(
      request,
      response,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  }

  private loginPage(uid: string, email: string, error: string): string {
    const accounts = this.accounts
      .listed()
      .map((account) => `<li><code>${escapeHtml(account.email)}</code></li>`)
      .join('');
    return page(
      'Sign in',
      `<h1>Sign in</h1><p class="sub">to continue to the app · Google emulator</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" value="${escapeHtml(email)}" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Next</button></form>
<details><summary>Demo accounts (password: demo)</summary><ul>${accounts}</ul></details>`,
    );
  }

  private consentPage(uid: string, details: Interaction): string {
    const accountId = details.session?.accountId;
    const account = accountId ? this.accounts.bySub(accountId) : undefined;
    const apis = new Map([
      [GMAIL_MODIFY_SCOPE, 'Read, change and organize your email (not delete it)'],
      ...this.apis.list().map((api): [string, string] => [api.scope, api.description]),
    ]);
    const scopes = (param(details, 'scope') ?? '')
      .split(' ')
      .filter((scope) => scope in SCOPE_LABELS || apis.has(scope));
    const items = scopes
      .map((scope) => {
        if (scope === GMAIL_SCOPE)
          return `<li><label><input type="checkbox" name="gmail" checked> ${escapeHtml(SCOPE_LABELS[scope])}</label></li>`;
        const api = apis.get(scope);
        if (api !== undefined)
          return `<li><label><input type="checkbox" name="scope" value="${escapeHtml(scope)}" checked> ${escapeHtml(api)}</label></li>`;
        return `<li>${escapeHtml(SCOPE_LABELS[scope])}</li>`;
      })
      .join('');
    return page(
      'Consent',
      `<h1>The app wants access to your Google Account</h1>
<p class="sub">${escapeHtml(account?.email ?? '')} · client ${escapeHtml(param(details, 'client_id') ?? '')}</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/confirm"><p>This will allow the app to:</p><ul class="scopes">${items}</ul>
<button type="submit">Allow</button></form>
<form method="post" action="/interaction/${escapeHtml(uid)}/abort"><button type="submit" class="secondary">Cancel</button></form>`,
    );
  }
}

/** A parameter of the authorization request, as oidc-provider kept it. */
function param(details: Interaction, name: string): string | undefined {
  const value = details.params[name];
  return typeof value === 'string' ? value : undefined;
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function page(title: string, content: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>${escapeHtml(title)} – Google Accounts (emulator)</title>
<style>body{font-family:system-ui,"Noto Sans CJK JP",sans-serif;background:#f1f3f4;margin:0;display:flex;justify-content:center}
main{background:#fff;border:1px solid #dadce0;border-radius:8px;padding:2rem 2.5rem;margin-top:4rem;width:26rem}
h1{font-weight:400;font-size:1.5rem;margin:.2rem 0}.sub{color:#5f6368}label{display:block;margin-top:1rem}
input[type=email],input[type=password]{width:100%;padding:.6rem;font-size:1rem;border:1px solid #dadce0;border-radius:4px;box-sizing:border-box}
button{margin-top:1.2rem;background:#1a73e8;color:#fff;border:0;border-radius:4px;padding:.6rem 1.4rem;font-size:.95rem;cursor:pointer}
button.secondary{background:#fff;color:#1a73e8;border:1px solid #dadce0}.error{color:#d93025}.scopes li{margin:.4rem 0}
.brand{font-weight:500;color:#5f6368}</style></head><body><main><div class="brand">Google (emulator)</div>${content}</main></body></html>`;
}

function send(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(html);
}

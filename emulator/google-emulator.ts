import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { GrantInstance, KoaContext, Provider, TokenStatic } from 'oidc-provider';
import { AccountDirectory } from './accounts.js';
import {
  createAuthorizationServer,
  GMAIL_RESOURCE,
  type ClientRegistration,
} from './authorization-server.js';
import { readBatchRequest, writeBatchResponse } from './batch-endpoint.js';
import type { DemoAccount } from './fixtures.js';
import {
  type EmulatedResponse,
  type EmulatorEndpoint,
  type Fault,
  FaultTable,
  faultResponse,
  gmailError,
  jsonResponse,
} from './faults.js';
import { GmailApi, gmailEndpointOf } from './gmail-api.js';
import { escapeHtml } from './html.js';
import { InteractionPages } from './interactions.js';
import { buildMessage, type FixtureMessageInput, textBody } from './message-builder.js';
import { EmulatorStore } from './memory-adapter.js';
import { type RiscEvent, RiscTransmitter, type RiscTokenOptions } from './risc-transmitter.js';

export interface EmulatorOptions {
  /** 0 (the default) for an ephemeral port; always 127.0.0.1. */
  port?: number;
  clients: EmulatorClient[];
  accessTokenTtlSeconds?: number;
  /** Delay before every Gmail API answer (a batch counts once). */
  latencyMs?: number;
  messagesGetQuotaUnits?: number;
  quotaUnitsPerUserPerMinute?: number | null;
  /** Logins with any address at @load.test create that account with a small mailbox. */
  autoCreateAccounts?: boolean;
  log?: (line: string) => void;
}

/** A registered "Web application" OAuth client. */
export type EmulatorClient = ClientRegistration;

export interface DemoAccountInfo {
  email: string;
  password: string;
  name: string;
  hd?: string;
  unread: number;
}

export interface RecordedRequest {
  /** A built-in endpoint, 'interaction', 'other', or the name of a registered API. */
  endpoint: EmulatorEndpoint | 'interaction' | 'other' | (string & {});
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  form?: Record<string, string>;
  /** The raw body of a batch request. */
  body?: string;
  /** Set on calls that arrived inside a batch request. */
  viaBatch?: boolean;
  /** The JSON answer of a successful token request (tests use it to know the issued tokens). */
  response?: Record<string, unknown>;
  /** performance.now() when the request arrived and when its answer was sent. */
  startedAt: number;
  finishedAt?: number;
  /** The client's port: requests with the same one came over the same (kept-alive) connection. */
  clientPort?: number;
}

/**
 * A Google-like API a test adds beside Gmail (GoogleEmulator.registerApi): one GET path that
 * needs one scope. Its bearer token is checked against the emulator's grants like Gmail's (401
 * authError, 403 insufficientPermissions), its errors are Google's JSON error format, and its
 * scope appears on the consent screen as a checkbox that the user can untick.
 */
export interface EmulatedApi {
  /** Its name in `requests` and for `setFault` (e.g. 'calendar_events'); not a built-in endpoint. */
  endpoint: string;
  /** The exact path it answers GET on, e.g. '/calendar/v3/calendars/primary/events'. */
  path: string;
  /** The OAuth scope a token needs for it. */
  scope: string;
  /** How the consent screen describes the scope. */
  description: string;
  /** The JSON of a 200 answer, for the token's account. */
  respond(account: { email: string; sub: string }, query: URLSearchParams): unknown;
}

export type IdTokenTweak = 'wrong-nonce' | 'wrong-aud' | 'wrong-iss' | 'bad-signature' | null;

/**
 * Google's side on one loopback port: an OpenID Connect provider configured like
 * accounts.google.com and the Gmail API, with controls for tests (faults, latency, token
 * expiry and revocation, ID token tampering, mailbox changes) and a log of every request.
 */
export class GoogleEmulator {
  readonly requests: RecordedRequest[] = [];
  private readonly faults = new FaultTable();
  private readonly records = new WeakMap<IncomingMessage, RecordedRequest>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private idTokenTweak: IdTokenTweak = null;
  private latencyMs: number;
  /** Per-endpoint latency, by endpoint name (setLatency). */
  private readonly endpointLatencyMs = new Map<string, number>();
  /** APIs registered by tests (registerApi). */
  private readonly apis: EmulatedApi[] = [];
  /** Where the RISC console page sends events (setRiscReceiver), for the demo. */
  private riscReceiver?: { url: string; audience: string };

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    private readonly provider: Provider,
    private readonly directory: AccountDirectory,
    private readonly store: EmulatorStore,
    private readonly gmail: GmailApi,
    private readonly interactions: InteractionPages,
    private readonly keys: { signing: JWK; impostor: CryptoKey },
    /** Grants whose consent screen was just shown: their callback says prompt=consent. */
    private readonly consentedGrants: Set<string>,
    private readonly options: EmulatorOptions,
    /** Google's security event transmitter (Cross-Account Protection). */
    readonly risc: RiscTransmitter,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
  }

  static async start(options: EmulatorOptions): Promise<GoogleEmulator> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const signing = await generateKeyPair('RS256', { extractable: true });
    const impostor = await generateKeyPair('RS256', { extractable: true });
    const signingJwk = {
      ...(await exportJWK(signing.privateKey)),
      kid: 'emulator-key-1',
      alg: 'RS256',
      use: 'sig',
    };
    const directory = new AccountDirectory(options.autoCreateAccounts ?? false);
    const store = new EmulatorStore();
    const offlineGrants = new Set<string>();
    const consentedGrants = new Set<string>();
    const provider = await createAuthorizationServer({
      issuer,
      clients: options.clients,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
      accounts: directory,
      signingKey: signingJwk,
      adapter: store.adapterFor,
      offlineGrants,
      apiScopes: () => emulator.apis.map((api) => api.scope),
      existingGrant: (accountId, clientId, scopes) =>
        emulator.existingGrant(accountId, clientId, scopes),
    });
    const emulator: GoogleEmulator = new GoogleEmulator(
      server,
      issuer,
      provider,
      directory,
      store,
      null as unknown as GmailApi,
      new InteractionPages(provider, directory, offlineGrants, consentedGrants, {
        apiScopes: () => emulator.apis,
        grantedBefore: (accountId, clientId) => emulator.grantedBefore(accountId, clientId),
      }),
      { signing: signingJwk, impostor: impostor.privateKey },
      consentedGrants,
      options,
      await RiscTransmitter.create(issuer),
    );
    (emulator as unknown as { gmail: GmailApi }).gmail = new GmailApi(
      provider,
      directory,
      emulator.faults,
      {
        messagesGetQuotaUnits: options.messagesGetQuotaUnits ?? 5,
        quotaUnitsPerUserPerMinute: options.quotaUnitsPerUserPerMinute ?? null,
      },
    );
    provider.use((ctx, next) => emulator.aroundProvider(ctx, next));
    server.on('connection', (socket: Socket) => {
      emulator.sockets.add(socket);
      socket.on('close', () => emulator.sockets.delete(socket));
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      emulator.route(request, response).catch((error: unknown) => {
        options.log?.(`emulator error: ${String(error)}`);
        if (!response.headersSent) send(response, jsonResponse(500, { error: 'server_error' }));
      });
    });
    return emulator;
  }

  get gmailApiUrl(): string {
    return this.issuer;
  }

  get accounts(): readonly DemoAccountInfo[] {
    return this.directory
      .list()
      .filter((account) => !account.email.endsWith('@load.test'))
      .map((account) => ({
        email: account.email,
        password: account.password,
        name: account.name,
        hd: account.hd,
        unread: this.directory.mailbox(account.sub)!.unread().length,
      }));
  }

  /** The ID token `sub` of a demo account (security events name accounts by it). */
  subOf(email: string): string {
    return this.account(email).sub;
  }

  /** The demo's receiver: the RISC console page (/risc/console) sends events there. */
  setRiscReceiver(url: string, audience: string): void {
    this.riscReceiver = { url, audience };
  }

  /** Signs one SET with the transmitter's key and POSTs it to `receiverUrl`, as Google does. */
  async sendSecurityEvent(
    receiverUrl: string,
    events: RiscEvent[],
    options: RiscTokenOptions,
  ): Promise<{ status: number; body: string }> {
    return this.risc.send(receiverUrl, await this.risc.sign(events, options));
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /**
   * Adds a Google-like API (see EmulatedApi), for a test's own feature module. Its scope is
   * granted like Gmail's: on the consent screen, into the access token and the token response.
   */
  registerApi(api: EmulatedApi): void {
    if (this.apis.some((known) => known.endpoint === api.endpoint || known.path === api.path)) {
      throw new Error(`an API is already registered as ${api.endpoint} or at ${api.path}`);
    }
    this.apis.push(api);
  }

  /** `endpoint`: a built-in endpoint or the name of a registered API. */
  setFault(
    endpoint: EmulatorEndpoint | (string & {}),
    fault: Fault | null,
    times = Infinity,
  ): void {
    this.faults.set(endpoint, fault, times);
  }

  /**
   * Latency of every Gmail request (a batch counts as one), or of one endpoint's requests
   * only; `setLatency(ms)` also clears the per-endpoint values.
   */
  setLatency(ms: number, endpoint?: EmulatorEndpoint): void {
    if (endpoint) {
      this.endpointLatencyMs.set(endpoint, ms);
      return;
    }
    this.latencyMs = ms;
    this.endpointLatencyMs.clear();
  }

  setIdTokenTweak(tweak: IdTokenTweak): void {
    this.idTokenTweak = tweak;
  }

  /** Adds an unread message at the top of the inbox; returns its id. */
  addMessage(email: string, message: Partial<FixtureMessageInput> = {}): string {
    const account = this.account(email);
    const mailbox = this.directory.mailbox(account.sub)!;
    const newest = mailbox.list(() => true)[0]?.internalDate ?? Date.now();
    const stored = buildMessage(`${email}#added#${mailbox.total()}#${Date.now()}`, {
      from: '"New Sender" <new@example.com>',
      to: account.email,
      subject: `New message ${mailbox.total() + 1}`,
      unread: true,
      body: textBody('A message that arrived just now.'),
      ...message,
      date: message.date ?? Math.max(Date.now(), newest + 1000),
    });
    mailbox.add(stored);
    return stored.id;
  }

  markRead(email: string, id: string): void {
    this.directory.mailbox(this.account(email).sub)?.get(id)?.labelIds.delete('UNREAD');
  }

  /** Ends every grant of the account, like removing the app at myaccount.google.com. */
  revokeAll(email: string): void {
    const sub = this.account(email).sub;
    for (const [key, entry] of this.store.entries) {
      if (key.startsWith('Grant:') && entry.payload.accountId === sub)
        this.revokeGrant(key.slice('Grant:'.length));
    }
  }

  expireAccessTokens(email: string): void {
    const sub = this.account(email).sub;
    for (const [key, entry] of this.store.entries) {
      if (key.startsWith('AccessToken:') && entry.payload.accountId === sub) {
        this.gmail.expiredTokens.add(key.slice('AccessToken:'.length));
      }
    }
  }

  /** Gmail quota units charged to the account since the emulator started. */
  quotaUsed(email: string): number {
    return this.gmail.quotaUsed(this.account(email).sub);
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private account(email: string): DemoAccount {
    const account = this.directory.byEmailAddress(email);
    if (!account) throw new Error(`no emulator account ${email}`);
    return account;
  }

  /** The newest live grant of the account to the client holding every scope asked for. */
  private existingGrant(accountId: string, clientId: string, scopes: string[]): string | undefined {
    return this.liveGrants(accountId, clientId)
      .filter((grant) => scopes.every((scope) => grant.scopes.includes(scope)))
      .at(-1)?.grantId;
  }

  /** Every scope the account granted the client in its grants still alive (not revoked). */
  private grantedBefore(accountId: string, clientId: string): string[] {
    return [...new Set(this.liveGrants(accountId, clientId).flatMap((grant) => grant.scopes))];
  }

  /** The account's grants to the client still in the store, oldest first, with their scopes. */
  private liveGrants(accountId: string, clientId: string) {
    const grants: { grantId: string; scopes: string[] }[] = [];
    for (const [key, entry] of this.store.entries) {
      const grant = entry.payload as {
        accountId?: string;
        clientId?: string;
        openid?: { scope?: string };
        resources?: Record<string, string>;
      };
      if (!key.startsWith('Grant:') || grant.accountId !== accountId) continue;
      if (grant.clientId !== clientId) continue;
      const granted = `${grant.openid?.scope ?? ''} ${grant.resources?.[GMAIL_RESOURCE] ?? ''}`;
      grants.push({
        grantId: key.slice('Grant:'.length),
        scopes: granted.split(' ').filter(Boolean),
      });
    }
    return grants;
  }

  private revokeGrant(grantId: string): void {
    for (const key of this.store.grants.get(grantId) ?? []) this.store.entries.delete(key);
    this.store.grants.delete(grantId);
    this.store.entries.delete(`Grant:${grantId}`);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.issuer);
    const method = request.method ?? 'GET';
    const api = this.apis.find((known) => method === 'GET' && known.path === url.pathname);
    const endpoint = api?.endpoint ?? endpointOf(method, url.pathname);
    const record: RecordedRequest = {
      endpoint,
      startedAt: performance.now(),
      clientPort: request.socket.remotePort,
      method,
      path: url.pathname,
      query: queryObject(url.searchParams),
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join(', ') : (v ?? ''),
        ]),
      ),
    };
    this.requests.push(record);
    this.records.set(request, record);
    response.on('finish', () => {
      record.finishedAt = performance.now();
      this.options.log?.(`${method} ${url.pathname} ${response.statusCode}`);
    });

    const fault =
      endpoint === 'interaction' || endpoint === 'other' ? undefined : this.faults.take(endpoint);
    if (fault) {
      if (method === 'POST')
        record.form = Object.fromEntries(new URLSearchParams(await readBody(request)));
      if (endpoint.startsWith('gmail_')) await this.delay(endpoint);
      if (fault.kind === 'hang') {
        this.hanging.add(response);
        return;
      }
      return send(response, faultResponse(fault), request);
    }
    if (api) return this.apiRequest(request, response, api, url);
    if (endpoint.startsWith('gmail_'))
      return this.gmailRequest(request, response, endpoint as EmulatorEndpoint, url);
    if (endpoint === 'revoke') return this.revoke(request, response, record);
    if (endpoint === 'risc_configuration') {
      return send(response, jsonResponse(200, this.risc.configuration()), request);
    }
    if (endpoint === 'risc_jwks')
      return send(response, jsonResponse(200, this.risc.jwks()), request);
    if (url.pathname === '/risc/console') return this.riscConsole(request, response);
    if (endpoint === 'interaction') {
      const form = new URLSearchParams(method === 'POST' ? await readBody(request) : '');
      return this.interactions.handle(request, response, url.pathname, form);
    }
    this.provider.callback()(request, response);
  }

  /**
   * The demo's way to play Google's Cross-Account Protection: pick an account and an event,
   * and the transmitter sends it to the service (setRiscReceiver) while the person watches the
   * account's sessions end.
   */
  private async riscConsole(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const events = CONSOLE_EVENTS;
    let result = '';
    if (request.method === 'POST') {
      const form = new URLSearchParams(await readBody(request));
      const type = form.get('type') ?? '';
      const account = this.directory.list().find((known) => known.email === form.get('email'));
      if (!this.riscReceiver) result = 'No receiver set (setRiscReceiver).';
      else if (!account || !events.includes(type)) result = 'Pick an account and an event.';
      else {
        const body: Record<string, unknown> = { subject: this.risc.subject(account.sub) };
        if (type === 'account-disabled') body.reason = 'hijacking';
        const answer = await this.sendSecurityEvent(this.riscReceiver.url, [{ type, body }], {
          audience: this.riscReceiver.audience,
        });
        result = `${type} for ${account.email}: the service answered ${answer.status}`;
      }
    }
    const accounts = this.accounts.map((a) => `<option>${escapeHtml(a.email)}</option>`).join('');
    const types = events.map((t) => `<option>${t}</option>`).join('');
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Security events</title></head><body>
<h1>Cross-Account Protection (RISC) transmitter</h1>
<p>Sends a signed security event to ${escapeHtml(this.riscReceiver?.url ?? '(no receiver)')}.</p>
<form method="post"><label>Account <select name="email">${accounts}</select></label>
<label>Event <select name="type">${types}</select></label> <button>Send</button></form>
<p role="status">${escapeHtml(result)}</p></body></html>`;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  }

  private async gmailRequest(
    request: IncomingMessage,
    response: ServerResponse,
    endpoint: EmulatorEndpoint,
    url: URL,
  ) {
    await this.delay(endpoint);
    const authorization = request.headers.authorization;
    if (endpoint !== 'gmail_batch') {
      const answer = await this.gmail.handle(
        { method: 'GET', path: url.pathname, query: url.searchParams, authorization },
        endpoint,
        false,
      );
      if (answer === 'hang') return void this.hanging.add(response);
      return send(response, answer, request);
    }
    const raw = await readBody(request);
    const record = this.records.get(request);
    if (record) record.body = raw;
    const inner = readBatchRequest(request.headers['content-type'], raw);
    if (!Array.isArray(inner)) return send(response, inner, request);
    const credentials = new Map<string, Promise<DemoAccount | EmulatedResponse>>();
    const answers = await Promise.all(
      inner.map(async (call): Promise<EmulatedResponse | 'hang'> => {
        const innerUrl = new URL(call.path, this.issuer);
        const innerEndpoint = gmailEndpointOf(call.method, innerUrl.pathname);
        this.requests.push({
          endpoint: innerEndpoint ?? 'other',
          method: call.method,
          path: innerUrl.pathname,
          query: queryObject(innerUrl.searchParams),
          headers: call.headers,
          viaBatch: true,
          startedAt: performance.now(),
        });
        if (!innerEndpoint || innerEndpoint === 'gmail_batch')
          return gmailError(404, 'notFound', 'Not Found');
        return this.gmail.handle(
          {
            method: call.method,
            path: innerUrl.pathname,
            query: innerUrl.searchParams,
            authorization: call.headers.authorization ?? authorization,
          },
          innerEndpoint,
          true,
          credentials,
        );
      }),
    );
    if (answers.includes('hang')) return void this.hanging.add(response);
    send(response, writeBatchResponse(inner, answers as EmulatedResponse[]), request);
  }

  /** A registered API: the bearer token checked for its scope, then its answer. */
  private async apiRequest(
    request: IncomingMessage,
    response: ServerResponse,
    api: EmulatedApi,
    url: URL,
  ) {
    const account = await this.gmail.authenticate(request.headers.authorization, api.scope);
    if (!('sub' in account)) return send(response, account, request);
    const body = api.respond({ email: account.email, sub: account.sub }, url.searchParams);
    send(response, jsonResponse(200, body), request);
  }

  /** Google's revocation: the token alone in a form body; the whole grant ends. */
  private async revoke(
    request: IncomingMessage,
    response: ServerResponse,
    record: RecordedRequest,
  ) {
    if (request.method !== 'POST')
      return send(response, jsonResponse(405, { error: 'invalid_request' }));
    const form = Object.fromEntries(new URLSearchParams(await readBody(request)));
    record.form = form;
    const value = form.token ?? '';
    const token =
      (await this.provider.AccessToken.find(value)) ??
      (await this.provider.RefreshToken.find(value));
    if (!token)
      return send(
        response,
        jsonResponse(400, {
          error: 'invalid_token',
          error_description: 'Token expired or revoked',
        }),
      );
    this.revokeGrant(token.grantId);
    send(response, jsonResponse(200, {}));
  }

  /** Koa middleware inside oidc-provider: Google's rules around the token endpoint. */
  private async aroundProvider(ctx: KoaContext, next: () => Promise<void>) {
    const record = this.records.get(ctx.req);
    const isToken = ctx.path === '/token' && ctx.method === 'POST';
    if (isToken && ctx.req.headers.authorization) {
      // This client is registered for client_secret_post only (RFC 6749 §2.3: one method).
      ctx.status = 401;
      ctx.body = {
        error: 'invalid_client',
        error_description: 'client_secret_basic is not allowed for this client',
      };
      return;
    }
    await next();
    if (record && ctx.oidc?.body)
      record.form = Object.fromEntries(
        Object.entries(ctx.oidc.body).map(([k, v]) => [k, String(v)]),
      );
    if (isToken && ctx.status === 200 && typeof ctx.body === 'object' && ctx.body !== null) {
      await this.likeGoogleTokenResponse(
        ctx.body as Record<string, unknown>,
        record?.form?.grant_type,
      );
      if (record) record.response = { ...(ctx.body as Record<string, unknown>) };
    }
    if (ctx.status === 303 || ctx.status === 302) await this.likeGoogleCallback(ctx);
  }

  private async likeGoogleTokenResponse(
    body: Record<string, unknown>,
    grantType: string | undefined,
  ) {
    const token =
      typeof body.access_token === 'string'
        ? await this.provider.AccessToken.find(body.access_token)
        : undefined;
    const grant = token ? await this.provider.Grant.find(token.grantId) : undefined;
    if (grant) body.scope = grantedScope(grant);
    // Google never rotates refresh tokens: a refresh answer carries none.
    if (grantType === 'refresh_token') delete body.refresh_token;
    if (typeof body.id_token === 'string' && this.idTokenTweak)
      body.id_token = await this.tweak(body.id_token, this.idTokenTweak);
  }

  /** Google adds the granted scope, authuser and prompt to the redirect back to the client. */
  private async likeGoogleCallback(ctx: {
    response: { get(name: string): string };
    set(name: string, value: string): void;
  }) {
    const location = ctx.response.get('location');
    if (!location) return;
    // Redirects to the interaction pages are relative; only the one to the client has a code.
    const url = new URL(location, this.issuer);
    const code = url.searchParams.get('code');
    if (!code || url.origin === this.issuer) return;
    // src/types/oidc-provider.d.ts does not declare the AuthorizationCode model.
    const codes = (this.provider as unknown as { AuthorizationCode: TokenStatic })
      .AuthorizationCode;
    const stored = await codes.find(code);
    const grant = stored ? await this.provider.Grant.find(stored.grantId) : undefined;
    if (grant) url.searchParams.set('scope', grantedScope(grant));
    url.searchParams.set('authuser', '0');
    const consented = stored !== undefined && this.consentedGrants.delete(stored.grantId);
    url.searchParams.set('prompt', consented ? 'consent' : 'none');
    ctx.set('location', url.toString());
  }

  private async tweak(idToken: string, tweak: Exclude<IdTokenTweak, null>): Promise<string> {
    const claims = { ...decodeJwt(idToken) };
    if (tweak === 'wrong-nonce') claims.nonce = 'not-the-nonce-you-sent';
    if (tweak === 'wrong-aud') claims.aud = 'someone-else.apps.googleusercontent.com';
    if (tweak === 'wrong-iss') claims.iss = 'https://accounts.evil.example';
    const jwt = new SignJWT(claims).setProtectedHeader({
      alg: 'RS256',
      kid: this.keys.signing.kid!,
      typ: 'JWT',
    });
    if (tweak === 'bad-signature') return jwt.sign(this.keys.impostor);
    const { importJWK } = await import('jose');
    return jwt.sign(await importJWK(this.keys.signing, 'RS256'));
  }

  private async delay(endpoint: string): Promise<void> {
    const ms = this.endpointLatencyMs.get(endpoint) ?? this.latencyMs;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** Every scope of the grant, identity scopes and the Gmail resource's, space separated. */
function grantedScope(grant: GrantInstance): string {
  return [grant.getOIDCScope(), grant.getResourceScope(GMAIL_RESOURCE)]
    .join(' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** What the RISC console offers (token-revoked names a token: the tests send that one). */
const CONSOLE_EVENTS: string[] = [
  'sessions-revoked',
  'tokens-revoked',
  'account-disabled',
  'account-enabled',
  'account-credential-change-required',
];

function endpointOf(method: string, path: string): RecordedRequest['endpoint'] {
  const gmail = gmailEndpointOf(method, path);
  if (gmail) return gmail;
  if (path === '/.well-known/openid-configuration') return 'discovery';
  if (path === '/oauth2/v3/certs') return 'jwks';
  if (path === '/o/oauth2/v2/auth') return 'authorization';
  if (path === '/token') return 'token';
  if (path === '/revoke') return 'revoke';
  if (path === '/.well-known/risc-configuration') return 'risc_configuration';
  if (path === '/risc/v1/jwks') return 'risc_jwks';
  if (path.startsWith('/interaction/')) return 'interaction';
  return 'other';
}

function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    result[key] = values.length === 1 ? values[0] : values;
  }
  return result;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, answer: EmulatedResponse, request?: IncomingMessage): void {
  let body: Buffer = Buffer.from(answer.body, 'utf8');
  const headers: Record<string, string> = { ...answer.headers };
  if (
    request &&
    /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')) &&
    body.length > 256 &&
    !headers['content-type']?.startsWith('text/plain')
  ) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(body.length);
  response.writeHead(answer.status, headers);
  response.end(body);
}

import type { KoaContextWithOIDC } from 'oidc-provider';
import { AccountDirectory } from './accounts.js';
import { createAuthorizationServer } from './authorization-server.js';
import type { DemoAccount } from './fixtures.js';
import { type EmulatorEndpoint, type Fault, FaultTable } from './faults.js';
import { GmailApi } from './gmail-api.js';
import { GmailRoutes } from './gmail-routes.js';
import { GoogleRules } from './google-rules.js';
import { GrantBook } from './grants.js';
import { EmulatorServer } from './http-server.js';
import { createIdTokenKeys } from './id-token.js';
import { InteractionPages } from './interactions.js';
import { type HeldEndpoint, Latency } from './latency.js';
import { quotaOptions } from './gmail-quota.js';
import type { LabelChange, Mailbox, StoredMessage } from './mailbox.js';
import { EmulatorStore } from './memory-adapter.js';
import { arrivingMessage, type FixtureMessageInput } from './message-builder.js';
import { RegisteredApis } from './registered-apis.js';
import { RequestLog } from './request-log.js';
import { revocation } from './revocation.js';
import { RiscConsole } from './risc-console.js';
import { MailConsole } from './mail-console.js';
import { WatchBook, type Watch } from './gmail-watch.js';
import { PubSubPush, type PushKnobs, type PushSubscription } from './pubsub-push.js';
import { type RiscEvent, RiscTransmitter, type RiscTokenOptions } from './risc-transmitter.js';
import { Router } from './router.js';
import { routeTable } from './routes.js';
import type {
  DemoAccountInfo,
  EmulatedApi,
  EmulatorOptions,
  IdTokenTweak,
  RecordedRequest,
} from './types.js';

/** What an emulator is made of: start() builds each part once the parts it needs exist. */
interface EmulatorParts {
  server: EmulatorServer;
  directory: AccountDirectory;
  store: EmulatorStore;
  grants: GrantBook;
  apis: RegisteredApis;
  faults: FaultTable;
  latency: Latency;
  log: RequestLog;
  gmail: GmailApi;
  rules: GoogleRules;
  riscConsole: RiscConsole;
  watches: WatchBook;
  push: PubSubPush;
  risc: RiscTransmitter;
}

/**
 * Google's side on one loopback port: an OpenID Connect provider configured like
 * accounts.google.com and the Gmail API, with controls for tests (faults, latency, token
 * expiry and revocation, ID token tampering, mailbox changes) and a log of every request.
 * Each mailbox change is one history record (none when nothing changed); unknown ids throw.
 */
export class GoogleEmulator {
  /** Every request in arrival order (see RecordedRequest). */
  readonly requests: RecordedRequest[];
  readonly issuer: string;
  /** Google's security event transmitter (Cross-Account Protection). */
  readonly risc: RiscTransmitter;

  private constructor(private readonly parts: EmulatorParts) {
    this.requests = parts.log.entries;
    this.issuer = parts.server.origin;
    this.risc = parts.risc;
  }

  static async start(options: EmulatorOptions): Promise<GoogleEmulator> {
    const server = await EmulatorServer.listen(options.port ?? 0);
    const issuer = server.origin;
    const keys = await createIdTokenKeys();
    const directory = new AccountDirectory(options.autoCreateAccounts ?? false);
    const store = new EmulatorStore();
    const grants = new GrantBook(store);
    const apis = new RegisteredApis();
    const faults = new FaultTable();
    const latency = new Latency(options.latencyMs ?? 0);
    const log = new RequestLog(options.log);
    const provider = await createAuthorizationServer({
      issuer,
      clients: options.clients,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
      accounts: directory,
      signingKey: keys.jwk,
      adapter: store.adapterFor,
      grants,
      apiScopes: () => apis.scopes(),
    });
    const rules = new GoogleRules(provider, log, grants, keys, issuer);
    // Koa's context type for use() lacks the ctx.oidc that oidc-provider adds.
    provider.use((ctx: KoaContextWithOIDC, next) => rules.around(ctx, next));
    const watches = new WatchBook(() => Date.now());
    const push = new PubSubPush(issuer, keys);
    // Gmail's watch: each change a watch covers is a notification on its topic.
    directory.onChange((account, mailbox, record) => {
      const watch = watches.active(account.sub);
      if (watch && watches.covers(watch, record)) {
        push.publish(watch.topicName, account.email, mailbox.history.historyId);
      }
    });
    const gmail = new GmailApi(provider, directory, faults, quotaOptions(options), watches);
    const risc = await RiscTransmitter.create(issuer);
    const riscConsole = new RiscConsole(directory, risc);
    const routes = routeTable({
      provider,
      apis,
      gmail: new GmailRoutes(gmail, latency, log, server, issuer),
      revoke: revocation(provider, grants),
      interactions: new InteractionPages(provider, directory, grants, apis),
      risc,
      console: riscConsole,
      mailConsole: new MailConsole(directory),
    });
    const router = new Router(routes, {
      origin: issuer,
      log,
      faults,
      latency,
      server,
      report: options.log,
    });
    server.onRequest((request, response) => router.serve(request, response));
    return new GoogleEmulator({
      server,
      directory,
      store,
      grants,
      apis,
      faults,
      latency,
      log,
      gmail,
      rules,
      riscConsole,
      risc,
      watches,
      push,
    });
  }

  get gmailApiUrl(): string {
    return this.issuer;
  }

  get accounts(): readonly DemoAccountInfo[] {
    return this.parts.directory.listed().map((account) => ({
      email: account.email,
      password: account.password,
      name: account.name,
      hd: account.hd,
      unread: this.parts.directory.mailbox(account.sub)!.unread().length,
    }));
  }

  /** The ID token `sub` of a demo account (security events name accounts by it). */
  subOf(email: string): string {
    return this.account(email).sub;
  }

  /** The demo's receiver: the RISC console page (/risc/console) sends events there. */
  setRiscReceiver(url: string, audience: string): void {
    this.parts.riscConsole.setReceiver(url, audience);
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
    this.parts.log.clear();
  }

  /**
   * Adds a Google-like API (see EmulatedApi), for a test's own feature module. Its scope is
   * granted like Gmail's: on the consent screen, into the access token and the token response.
   */
  registerApi(api: EmulatedApi): void {
    this.parts.apis.add(api);
  }

  /** `endpoint`: a built-in endpoint or the name of a registered API. */
  setFault(
    endpoint: EmulatorEndpoint | (string & {}),
    fault: Fault | null,
    times = Infinity,
  ): void {
    this.parts.faults.set(endpoint, fault, times);
  }

  /**
   * Latency of every Gmail request (a batch counts as one), or of one endpoint's requests
   * only; `setLatency(ms)` also clears the per-endpoint values.
   */
  setLatency(ms: number, endpoint?: EmulatorEndpoint): void {
    this.parts.latency.set(ms, endpoint);
  }

  /** Holds every request to a Gmail endpoint until `release()`: a slow request, no timer. */
  holdGmail(endpoint: EmulatorEndpoint): HeldEndpoint {
    return this.parts.latency.hold(endpoint);
  }

  setIdTokenTweak(tweak: IdTokenTweak): void {
    this.parts.rules.idTokenTweak = tweak;
  }

  /** Adds an unread message at the top of the inbox (a messageAdded record); returns its id. */
  addMessage(email: string, message: Partial<FixtureMessageInput> = {}): string {
    const mailbox = this.mailboxOf(email);
    const stored = arrivingMessage(this.account(email).email, mailbox, message);
    mailbox.deliver(stored);
    return stored.id;
  }

  /** Ids of the account's messages, newest first, Spam and Trash included. */
  allMessages(email: string): string[] {
    return idsOf(this.mailboxOf(email).list(() => true));
  }

  /** Ids of "unread in Inbox", newest first: messages.list?labelIds=INBOX&labelIds=UNREAD. */
  inboxUnread(email: string): string[] {
    return idsOf(this.mailboxOf(email).inboxUnread());
  }

  markRead(email: string, id: string): void {
    this.modifyLabels(email, id, { remove: ['UNREAD'] });
  }

  markUnread(email: string, id: string): void {
    this.modifyLabels(email, id, { add: ['UNREAD'] });
  }

  archive(email: string, id: string): void {
    this.modifyLabels(email, id, { remove: ['INBOX'] });
  }

  /** Gmail's "Move to Inbox" (also "Not spam", and out of Trash): adds INBOX, drops SPAM, TRASH. */
  moveToInbox(email: string, id: string): void {
    this.modifyLabels(email, id, { add: ['INBOX'], remove: ['SPAM', 'TRASH'] });
  }

  markSpam(email: string, id: string): void {
    this.modifyLabels(email, id, { add: ['SPAM'], remove: ['INBOX'] });
  }

  /** Trash keeps UNREAD, so a trashed message still counts for the UNREAD label. */
  moveToTrash(email: string, id: string): void {
    this.modifyLabels(email, id, { add: ['TRASH'], remove: ['INBOX'] });
  }

  /** Deletes for good (messageDeleted): messages.get answers 404 from now on. */
  deleteMessage(email: string, id: string): void {
    if (!this.mailboxOf(email).delete(id)) throw new Error(`no message ${id} for ${email}`);
  }

  /** messages.modify: records only the labels that really change. */
  modifyLabels(email: string, id: string, change: LabelChange): void {
    if (!this.mailboxOf(email).modifyLabels(id, change))
      throw new Error(`no message ${id} for ${email}`);
  }

  /**
   * A Pub/Sub topic Gmail may publish to (the Cloud console's topic with the publisher role for
   * gmail-api-push@system.gserviceaccount.com), and its push subscription: watch() to it works,
   * and each change a watch covers is POSTed to `subscription.endpoint`, signed.
   */
  addPushSubscription(subscription: PushSubscription): void {
    this.parts.watches.topics.add(subscription.topic);
    this.parts.push.subscribe(subscription);
  }

  /** The transmitter's misbehaviour from now on: drop, duplicate, delay (tests). */
  setPushKnobs(knobs: PushKnobs): void {
    this.parts.push.setKnobs(knobs);
  }

  /** Every push POST so far and what it was answered; notifications never sent. */
  get pushDeliveries() {
    return this.parts.push.deliveries;
  }

  get pushDrops() {
    return this.parts.push.drops;
  }

  /** A push token as the transmitter signs it, claims overridden (tests of a receiver). */
  pushToken(subscription: PushSubscription, claims: Record<string, unknown> = {}) {
    return this.parts.push.token(subscription, claims);
  }

  /** Resolves once every push under way has been answered (or given up). */
  pushesSettled(): Promise<void> {
    return this.parts.push.settled();
  }

  /** The account's watch while it lasts (users.watch), or undefined. */
  watchOf(email: string): Watch | undefined {
    return this.parts.watches.active(this.account(email).sub);
  }

  /** Ends the account's watch now, as its expiry would. */
  expireWatch(email: string): void {
    this.parts.watches.expire(this.account(email).sub);
  }

  /** The account's current historyId, as users.getProfile answers it. */
  historyId(email: string): string {
    return this.mailboxOf(email).history.historyId;
  }

  /** Expires the account's history: history.list answers 404 to any older startHistoryId. */
  forgetHistory(email: string): void {
    this.mailboxOf(email).history.forget();
  }

  /** Ends every grant of the account, like removing the app at myaccount.google.com. */
  revokeAll(email: string): void {
    this.parts.grants.revokeAllOf(this.account(email).sub);
  }

  /** From now on Gmail answers 401 to the account's access tokens issued so far. */
  expireAccessTokens(email: string): void {
    const sub = this.account(email).sub;
    for (const [jti] of this.parts.store.entriesOf('AccessToken', sub))
      this.parts.gmail.expiredTokens.add(jti);
  }

  /** Gmail quota units charged to the account since the emulator started. */
  quotaUsed(email: string): number {
    return this.parts.gmail.quotaUsed(this.account(email).sub);
  }

  /** Closes the server and destroys open and hanging connections. */
  async stop(): Promise<void> {
    await this.parts.server.close();
  }

  private mailboxOf(email: string): Mailbox {
    return this.parts.directory.mailbox(this.account(email).sub)!;
  }

  private account(email: string): DemoAccount {
    const account = this.parts.directory.byEmailAddress(email);
    if (!account) throw new Error(`no emulator account ${email}`);
    return account;
  }
}

const idsOf = (messages: StoredMessage[]) => messages.map((message) => message.id);

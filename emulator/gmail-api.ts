import type { Provider } from 'oidc-provider';
import type { AccountDirectory } from './accounts.js';
import { GMAIL_MODIFY_SCOPE, GMAIL_SCOPE } from './authorization-server.js';
import type { DemoAccount } from './fixtures.js';
import {
  type EmulatedResponse,
  type EmulatorEndpoint,
  type FaultTable,
  faultResponse,
  gmailError,
  jsonResponse,
} from './faults.js';
import { applyFields, parseFields } from './fields-filter.js';
import { listHistory, profileOf } from './gmail-history.js';
import { labelCounts, listMessages } from './gmail-list.js';
import { GmailQuota } from './gmail-quota.js';
import { encodeSnippet, type Mailbox, type StoredMessage, type StoredPart } from './mailbox.js';
import { serializePart } from './message-builder.js';
import { matches, type PathPattern } from './route.js';
import type { WatchBook } from './gmail-watch.js';

export interface GmailRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  /** A POST's body (users.watch). */
  body?: string;
}

export interface GmailApiOptions {
  messagesGetQuotaUnits: number;
  attachmentQuotaUnits: number;
  quotaUnitsPerUserPerMinute: number | null;
}

/** Gmail's long-standing per-method quota costs (messages.get is configurable). */
const BASE_COSTS: Partial<Record<EmulatorEndpoint, number>> = {
  gmail_list: 5,
  gmail_labels: 1,
  gmail_attachment: 5,
  gmail_profile: 1,
  gmail_history: 2,
  gmail_watch: 100,
  gmail_stop: 50,
  gmail_modify: 5,
  gmail_batch_modify: 50,
};
/** Google: gmail.modify reads too; changing labels needs it (or the full mail.google.com). */
const READ_SCOPES = [GMAIL_SCOPE, GMAIL_MODIFY_SCOPE, 'https://mail.google.com/'];
const MODIFY_SCOPES = [GMAIL_MODIFY_SCOPE, 'https://mail.google.com/'];
/** batchModify's limit (Gmail API reference). */
const BATCH_MODIFY_MAX_IDS = 1000;
const MESSAGE_PATH = /^\/gmail\/v1\/users\/me\/messages\/([^/]+)$/;
const MODIFY_PATH = /^\/gmail\/v1\/users\/me\/messages\/([^/]+)\/modify$/;
const ATTACHMENT_PATH = /^\/gmail\/v1\/users\/me\/messages\/([^/]+)\/attachments\/([^/]+)$/;
const LABEL_PATH = /^\/gmail\/v1\/users\/me\/labels\/([^/]+)$/;

/** Gmail's routes, in the order they are tried (also for the calls inside a batch). */
export const GMAIL_ROUTES: readonly {
  method: string;
  path: PathPattern;
  endpoint: EmulatorEndpoint;
}[] = [
  { method: 'POST', path: '/batch/gmail/v1', endpoint: 'gmail_batch' },
  { method: 'GET', path: '/gmail/v1/users/me/messages', endpoint: 'gmail_list' },
  { method: 'GET', path: '/gmail/v1/users/me/history', endpoint: 'gmail_history' },
  { method: 'GET', path: '/gmail/v1/users/me/profile', endpoint: 'gmail_profile' },
  { method: 'POST', path: '/gmail/v1/users/me/watch', endpoint: 'gmail_watch' },
  { method: 'POST', path: '/gmail/v1/users/me/stop', endpoint: 'gmail_stop' },
  {
    method: 'POST',
    path: '/gmail/v1/users/me/messages/batchModify',
    endpoint: 'gmail_batch_modify',
  },
  { method: 'POST', path: MODIFY_PATH, endpoint: 'gmail_modify' },
  { method: 'GET', path: ATTACHMENT_PATH, endpoint: 'gmail_attachment' },
  { method: 'GET', path: MESSAGE_PATH, endpoint: 'gmail_get' },
  { method: 'GET', path: LABEL_PATH, endpoint: 'gmail_labels' },
];

export function gmailEndpointOf(method: string, path: string): EmulatorEndpoint | undefined {
  return GMAIL_ROUTES.find((route) => matches(route, method, path))?.endpoint;
}

/** The Gmail API v1 subset this project uses, with Google's shapes, errors and quota. */
export class GmailApi {
  /** Access tokens (by jti) that tests declared expired: Gmail answers 401 to them. */
  readonly expiredTokens = new Set<string>();
  private readonly quota: GmailQuota;

  constructor(
    private readonly provider: Provider,
    private readonly accounts: AccountDirectory,
    private readonly faults: FaultTable,
    private readonly options: GmailApiOptions,
    private readonly watches: WatchBook,
  ) {
    this.quota = new GmailQuota(options.quotaUnitsPerUserPerMinute);
  }

  quotaUsed(sub: string): number {
    return this.quota.used(sub);
  }

  /**
   * One API call; `'hang'` when a fault says never to answer. Calls of one batch share
   * `credentials`, so the outer Authorization is checked once, as Google does.
   */
  async handle(
    request: GmailRequest,
    endpoint: EmulatorEndpoint,
    viaBatch: boolean,
    credentials = new Map<string, Promise<DemoAccount | EmulatedResponse>>(),
  ): Promise<EmulatedResponse | 'hang'> {
    if (viaBatch) {
      const fault = this.faults.take(endpoint);
      if (fault?.kind === 'hang') return 'hang';
      if (fault) return faultResponse(fault);
    }
    const modifies = endpoint === 'gmail_modify' || endpoint === 'gmail_batch_modify';
    const scopes = modifies ? MODIFY_SCOPES : READ_SCOPES;
    const key = `${modifies ? 'modify' : 'read'} ${request.authorization ?? ''}`;
    if (!credentials.has(key))
      credentials.set(key, this.authenticate(request.authorization, scopes));
    const account = await credentials.get(key)!;
    if (!('sub' in account)) return account;
    const mailbox = this.accounts.mailbox(account.sub)!;
    const cost =
      endpoint === 'gmail_get'
        ? this.options.messagesGetQuotaUnits
        : endpoint === 'gmail_attachment'
          ? this.options.attachmentQuotaUnits
          : (BASE_COSTS[endpoint] ?? 0);
    const overQuota = this.quota.charge(account.sub, cost);
    if (overQuota) return overQuota;
    const response = this.route(request, endpoint, account, mailbox);
    return this.withFields(response, request.query.get('fields'));
  }

  /**
   * The account of a valid bearer token carrying `scope`, or Google's 401 / 403 answer; also
   * used by the APIs tests register (GoogleEmulator.registerApi).
   */
  async authenticate(
    authorization: string | undefined,
    scope: string | readonly string[] = READ_SCOPES,
  ): Promise<DemoAccount | EmulatedResponse> {
    const unauthenticated = gmailError(
      401,
      'authError',
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    );
    const match = /^Bearer ([\x21-\x7e]+)$/.exec(authorization ?? '');
    if (!match) return unauthenticated;
    const token = await this.provider.AccessToken.find(match[1]);
    if (!token || token.isExpired) return unauthenticated;
    if (this.expiredTokens.has(token.jti)) return unauthenticated;
    const held = (token.scope ?? '').split(' ');
    if (!(typeof scope === 'string' ? [scope] : scope).some((one) => held.includes(one))) {
      return gmailError(
        403,
        'insufficientPermissions',
        'Request had insufficient authentication scopes.',
      );
    }
    const account = this.accounts.bySub(token.accountId);
    return account ?? unauthenticated;
  }

  private route(
    request: GmailRequest,
    endpoint: EmulatorEndpoint,
    account: DemoAccount,
    mailbox: Mailbox,
  ): EmulatedResponse {
    switch (endpoint) {
      case 'gmail_list':
        return listMessages(request.query, mailbox);
      case 'gmail_history':
        return listHistory(request.query, mailbox);
      case 'gmail_profile':
        return profileOf(account.email, mailbox);
      case 'gmail_get': {
        const id = MESSAGE_PATH.exec(request.path)![1];
        return this.get(id, request.query, mailbox);
      }
      case 'gmail_attachment': {
        const [, id, attachmentId] = ATTACHMENT_PATH.exec(request.path)!;
        const data = mailbox.findAttachment(id, decodeURIComponent(attachmentId));
        return data
          ? jsonResponse(200, {
              attachmentId: decodeURIComponent(attachmentId),
              size: data.length,
              data: data.toString('base64url'),
            })
          : gmailError(404, 'notFound', 'Requested entity was not found.');
      }
      case 'gmail_labels':
        return labelCounts(LABEL_PATH.exec(request.path)![1], mailbox);
      case 'gmail_watch':
        return this.watches.watch(account.sub, request.body ?? '', mailbox.history.historyId);
      case 'gmail_stop':
        return this.watches.stop(account.sub);
      case 'gmail_modify':
        return modifyOne(MODIFY_PATH.exec(request.path)![1], request.body, mailbox);
      case 'gmail_batch_modify':
        return batchModify(request.body, mailbox);
      default:
        return gmailError(404, 'notFound', 'Not Found');
    }
  }

  private get(id: string, query: URLSearchParams, mailbox: Mailbox): EmulatedResponse {
    const message = /^[0-9a-f]{16}$/.test(id) ? mailbox.get(id) : undefined;
    if (!/^[0-9a-f]{1,32}$/.test(id)) return gmailError(400, 'invalidArgument', 'Invalid id value');
    if (!message) return gmailError(404, 'notFound', 'Requested entity was not found.');
    const format = query.get('format') ?? 'full';
    if (!['minimal', 'metadata', 'full', 'raw'].includes(format))
      return gmailError(400, 'invalidArgument', 'Invalid format');
    const body: Record<string, unknown> = {
      id: message.id,
      threadId: message.threadId,
      labelIds: [...message.labelIds],
      snippet: encodeSnippet(message.snippetText),
      sizeEstimate: sizeOf(message.payload),
      historyId: message.historyId,
      internalDate: String(message.internalDate),
    };
    if (format === 'metadata') {
      const wanted = query.getAll('metadataHeaders').map((h) => h.toLowerCase());
      body.payload = {
        partId: '',
        mimeType: message.payload.mimeType,
        filename: '',
        headers: message.payload.headers.filter(
          (h) => wanted.length === 0 || wanted.includes(h.name.toLowerCase()),
        ),
        body: { size: 0 },
      };
    } else if (format === 'full') {
      body.payload = serializePart(message.id, message.payload);
    } else if (format === 'raw') {
      body.raw = rawOf(message).toString('base64url');
    }
    return jsonResponse(200, body);
  }

  private withFields(response: EmulatedResponse, fields: string | null): EmulatedResponse {
    if (!fields || response.status !== 200) return response;
    try {
      return {
        ...response,
        body: JSON.stringify(
          applyFields(response.json ?? JSON.parse(response.body), parseFields(fields)),
        ),
      };
    } catch (error) {
      return gmailError(
        400,
        'invalidParameter',
        `Invalid field selection: ${(error as Error).message}`,
      );
    }
  }
}

function sizeOf(part: StoredPart): number {
  const own =
    part.headers.reduce((sum, h) => sum + h.name.length + h.value.length + 4, 0) +
    (part.body?.length ?? 0);
  return own + (part.parts ?? []).reduce((sum, child) => sum + sizeOf(child), 0);
}

/** An approximate RFC 5322 rendering: top headers and the first body's bytes. */
function rawOf(message: StoredMessage): Buffer {
  const headers = message.payload.headers.map((h) => `${h.name}: ${h.value}`).join('\r\n');
  const first = (part: StoredPart): Buffer =>
    part.body ?? (part.parts?.length ? first(part.parts[0]) : Buffer.alloc(0));
  return Buffer.concat([Buffer.from(`${headers}\r\n\r\n`), first(message.payload)]);
}

/** A label change as messages.modify and batchModify take it, or Google's 400. */
function labelChangeOf(
  body: Record<string, unknown>,
): { add: string[]; remove: string[] } | EmulatedResponse {
  const list = (name: string) => {
    const value = body[name];
    if (value === undefined) return [];
    return Array.isArray(value) && value.every((item) => typeof item === 'string')
      ? value
      : undefined;
  };
  const add = list('addLabelIds');
  const remove = list('removeLabelIds');
  if (!add || !remove) return gmailError(400, 'invalidArgument', 'Invalid label ids');
  if (add.some((label) => remove.includes(label)))
    return gmailError(400, 'invalidArgument', 'A label cannot be both added and removed');
  return { add, remove };
}

function jsonBodyOf(raw: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw ?? '');
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** users.messages.modify: the message's id, thread and labels after the change. */
function modifyOne(id: string, raw: string | undefined, mailbox: Mailbox): EmulatedResponse {
  const body = jsonBodyOf(raw);
  if (!body) return gmailError(400, 'invalidArgument', 'Invalid JSON payload received.');
  const change = labelChangeOf(body);
  if ('status' in change) return change;
  if (!/^[0-9a-f]{16}$/.test(id) || !mailbox.modifyLabels(id, change))
    return gmailError(404, 'notFound', 'Requested entity was not found.');
  const message = mailbox.get(id)!;
  return jsonResponse(200, {
    id: message.id,
    threadId: message.threadId,
    labelIds: [...message.labelIds],
  });
}

/**
 * users.messages.batchModify: at most 1,000 ids; an empty 204 with no per-id result (an id
 * that is not in the mailbox changes nothing).
 */
function batchModify(raw: string | undefined, mailbox: Mailbox): EmulatedResponse {
  const body = jsonBodyOf(raw);
  if (!body) return gmailError(400, 'invalidArgument', 'Invalid JSON payload received.');
  const ids = body.ids;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string'))
    return gmailError(400, 'invalidArgument', 'ids is required');
  if (ids.length > BATCH_MODIFY_MAX_IDS)
    return gmailError(400, 'invalidArgument', `At most ${BATCH_MODIFY_MAX_IDS} ids are allowed`);
  const change = labelChangeOf(body);
  if ('status' in change) return change;
  for (const id of ids) mailbox.modifyLabels(id, change);
  return { status: 204, headers: {}, body: '' };
}

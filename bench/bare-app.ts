import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import hbs from 'hbs';
import { Agent, request } from 'undici';
import { formatDate, isMessageKey, translate } from '../src/i18n/i18n.js';

/**
 * The ceiling for bench/ceiling.ts: the smallest Express 5 + express-session + hbs app that
 * renders the service's home page (views/home.hbs, its partials, English text through the
 * project's translate()) from the same Gmail emulator. No NestJS, helmet, logging, metrics,
 * token encryption, refresh, response checking, MIME/entity decoding, gzip or cache.
 *
 * It "signs in" without OAuth: GET /signin stores a fixed user in the session, and every page
 * uses the one access token given in BARE_ACCESS_TOKEN (issued by the emulator to the service's
 * sign-in). GET /home makes two sequential round trips, like the service's cold page:
 * messages.list (q=is:unread, maxResults=50) in parallel with labels.get UNREAD (the count the
 * page shows), then ONE batch request (POST /batch/gmail/v1) with messages.get
 * format=metadata (From, Subject, Date) for every listed id. The batch was chosen over 50
 * parallel messages.get because it is one upstream HTTP request per page, as in the service.
 *
 * With BARE_CACHE=1 it also keeps every message's metadata in a Map (no bound, no expiry) and
 * batches only ids it has not seen, so that a warm page costs what the service's costs: two
 * upstream requests (list ∥ labels).
 *
 * Run as its own process (ceiling.ts spawns it): env BARE_GMAIL_API_URL, BARE_ACCESS_TOKEN,
 * BARE_EMAIL, BARE_CACHE; listens on 127.0.0.1, an ephemeral port, and prints
 * "Listening on <url>".
 */
const GMAIL = required('BARE_GMAIL_API_URL');
const ACCESS_TOKEN = required('BARE_ACCESS_TOKEN');
const EMAIL = required('BARE_EMAIL');
const PAGE_SIZE = 50;
const CACHE = process.env.BARE_CACHE === '1' ? new Map<string, Metadata>() : undefined;
const GMAIL_WEB = 'https://mail.google.com/mail/u/0/#all/';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const pool = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

async function gmailJson<T>(path: string): Promise<T> {
  const response = await request(GMAIL + path, {
    dispatcher: pool,
    headers: { authorization: `Bearer ${ACCESS_TOKEN}` },
  });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`Gmail answered ${response.statusCode} to ${path}`);
  }
  return (await response.body.json()) as T;
}

interface Metadata {
  id: string;
  snippet?: string;
  internalDate?: string;
  payload?: { headers?: { name: string; value: string }[] };
}

/** One batch request with a messages.get?format=metadata part per id; the 200 parts' JSON. */
async function metadataBatch(ids: string[]): Promise<Map<string, Metadata>> {
  const found = new Map<string, Metadata>();
  if (ids.length === 0) return found;
  const boundary = `bare_${randomBytes(8).toString('hex')}`;
  const parts = ids.map(
    (id, i) =>
      `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item-${i}>\r\n\r\n` +
      `GET /gmail/v1/users/me/messages/${id}?format=metadata&metadataHeaders=From&metadataHeaders=Subject&metadataHeaders=Date\r\n`,
  );
  const response = await request(`${GMAIL}/batch/gmail/v1`, {
    method: 'POST',
    dispatcher: pool,
    headers: {
      authorization: `Bearer ${ACCESS_TOKEN}`,
      'content-type': `multipart/mixed; boundary=${boundary}`,
    },
    body: `${parts.join('\r\n')}\r\n--${boundary}--\r\n`,
  });
  const text = await response.body.text();
  const contentType = String(response.headers['content-type'] ?? '');
  const answerBoundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (response.statusCode !== 200 || !answerBoundary)
    throw new Error(`batch answered ${response.statusCode}`);
  for (const part of text.split(`--${answerBoundary}`)) {
    if (!/HTTP\/1\.1 200/.test(part)) continue;
    const json = part.slice(part.indexOf('{'), part.lastIndexOf('}') + 1);
    const message = JSON.parse(json) as Metadata;
    found.set(message.id, message);
  }
  return found;
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

/** The nearest folder above this file with views/partials (as src/app.setup.ts finds it). */
function projectRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'views', 'partials'))) return dir;
  throw new Error('no views/ folder found');
}

const app = express();
const views = join(projectRoot(), 'views');
const handlebars = hbs.handlebars;
for (const file of readdirSync(join(views, 'partials')).filter((n) => n.endsWith('.hbs'))) {
  handlebars.registerPartial(
    basename(file, '.hbs'),
    readFileSync(join(views, 'partials', file), 'utf8'),
  );
}
handlebars.registerHelper('t', (key: unknown, options: { hash: Record<string, unknown> }) =>
  typeof key === 'string' && isMessageKey(key) ? translate('en', key, options.hash) : '',
);
app.disable('x-powered-by');
app.set('views', views);
app.set('view engine', 'hbs');
app.set('view options', { layout: false });
app.set('view cache', true);
app.use(
  session({
    name: 'sid',
    secret: randomBytes(32).toString('base64url'),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 30 * 60_000 },
  }),
);
app.use((request: Request, response: Response, next: NextFunction) => {
  response.locals.locale = 'en';
  response.locals.returnTo = encodeURIComponent(request.originalUrl);
  response.locals.languages = [
    { code: 'en', label: 'English', current: true },
    { code: 'ja', label: '日本語', current: false },
  ];
  if (request.session.user) {
    response.locals.user = { email: request.session.user.email };
    response.locals.csrfToken = request.session.csrfToken;
  }
  next();
});

app.get('/', (_request, response) => response.render('index', {}));

app.get('/signin', (request, response) => {
  request.session.user = { sub: 'bare', email: EMAIL };
  request.session.csrfToken = randomBytes(16).toString('base64url');
  response.redirect(303, '/home');
});

app.get('/home', async (request, response) => {
  if (!request.session.user) return response.redirect(302, '/');
  const [list, label] = await Promise.all([
    gmailJson<{ messages?: { id: string }[]; nextPageToken?: string }>(
      `/gmail/v1/users/me/messages?q=is:unread&maxResults=${PAGE_SIZE}`,
    ),
    gmailJson<{ messagesUnread?: number }>('/gmail/v1/users/me/labels/UNREAD'),
  ]);
  const ids = (list.messages ?? []).map((m) => m.id);
  const fetched = await metadataBatch(CACHE ? ids.filter((id) => !CACHE.has(id)) : ids);
  for (const [id, message] of fetched) CACHE?.set(id, message);
  const found = CACHE ?? fetched;
  type Row =
    | { id: string; failed: true }
    | {
        id: string;
        from: string;
        subject: string;
        snippet: string;
        date: string;
        isoDate: string;
        gmailUrl: string;
      };
  const messages = ids.flatMap((id): Row[] => {
    const message = found.get(id);
    if (!message) return [{ id, failed: true }];
    const header = (name: string) =>
      message.payload?.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value ??
      '';
    const internalDate = Number(message.internalDate ?? 0);
    return [
      {
        id,
        from: header('From'),
        subject: header('Subject'),
        snippet: (message.snippet ?? '').replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]),
        date: formatDate('en', internalDate),
        isoDate: new Date(internalDate).toISOString(),
        gmailUrl: GMAIL_WEB + id,
      },
    ];
  });
  response.setHeader('Cache-Control', 'no-store');
  response.render('home', {
    title: 'Inbox',
    unreadCount: label.messagesUnread ?? 0,
    messages,
    range: { from: 1, to: messages.length },
    olderUrl: list.nextPageToken
      ? `/home?page=${encodeURIComponent(list.nextPageToken)}`
      : undefined,
  });
});

app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
  response.status(502).type('text/plain').send(String(error));
});

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`Listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => void pool.close().then(() => process.exit(0)));
  server.closeAllConnections();
});

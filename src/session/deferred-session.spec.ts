import express, { type Request } from 'express';
import session from 'express-session';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { deferSession, existingSession } from './deferred-session.js';

/** As SessionStep: requests without cookie are deferred, others loaded at once. */
function appWith(routes: (app: express.Express) => void) {
  const store = new session.MemoryStore();
  const handler = session({
    secret: 'test-secret',
    store,
    resave: false,
    saveUninitialized: false,
  });
  let made = 0;
  const app = express();
  app.use((request, response, next) => {
    made++;
    if (request.headers.cookie) return handler(request, response, next);
    made--;
    deferSession(request, response, (req, res, done) => {
      made++;
      return handler(req, res, done);
    });
    next();
  });
  routes(app);
  return { app, store, made: () => made };
}

const stored = (store: session.MemoryStore) =>
  new Promise<number>((resolve) => store.length((_error, length) => resolve(length ?? 0)));

describe(deferSession.name, () => {
  it('should make no session for a page that does not use it', async () => {
    const seen: unknown[] = [];
    const { app, made } = appWith((a) =>
      a.get('/', (request: Request, response) => {
        seen.push(existingSession(request));
        response.send('landing');
      }),
    );
    const response = await supertest(app).get('/').expect(200, 'landing');
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(seen).toEqual([undefined]);
    expect(made()).toBe(0);
  });

  it('should make the session express-session would have made once a page writes to it', async () => {
    const { app, store, made } = appWith((a) => {
      a.get('/start', (request, response) => {
        request.session.csrfToken = 'kept';
        response.send(request.sessionID);
      });
      a.get('/read', (request, response) => response.send(String(request.session.csrfToken)));
    });
    const agent = supertest.agent(app);
    const start = await agent.get('/start').expect(200);
    expect(String(start.headers['set-cookie'])).toMatch(/^connect\.sid=s%3A/);
    expect(start.text).toMatch(/^[\w-]{32}$/);
    expect(made()).toBe(1);
    expect(await stored(store)).toBe(1);
    await agent.get('/read').expect(200, 'kept');
    expect(made()).toBe(2);
  });

  it('should make the session when only its id or store is read, and keep one session', async () => {
    const { app, made } = appWith((a) =>
      a.get('/', (request, response) => {
        const id = request.sessionID;
        const sameStore = request.sessionStore === request.sessionStore;
        response.json({ id, sameSession: request.session.id === id, sameStore });
      }),
    );
    const body = (await supertest(app).get('/').expect(200)).body as Record<string, unknown>;
    expect(String(body.id)).toMatch(/^[\w-]{32}$/);
    expect(body).toEqual({
      id: body.id,
      sameSession: true,
      sameStore: true,
    });
    expect(made()).toBe(1);
  });

  it('should fail loudly if express-session ever makes a new session asynchronously', async () => {
    const app = express();
    app.use((request, response, next) => {
      deferSession(request, response, (_req, _res, done) => setImmediate(done));
      next();
    });
    app.get('/', (request, response) => response.send(typeof request.session));
    app.use((error: Error, _request: Request, response: express.Response, _next: unknown) =>
      response.status(500).send(error.message),
    );
    await supertest(app)
      .get('/')
      .expect(500, 'express-session did not make a new session synchronously');
  });
});

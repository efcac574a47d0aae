import type { NestExpressApplication } from '@nestjs/platform-express';
import { createServer, type Server } from 'node:http';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentAtEmulator, GMAIL_MODIFY_SCOPE } from '../emulator/index.js';
import { SessionConfig } from '../src/config/configuration.js';
import {
  answersOf,
  ApiContractCheck,
  ApiContractError,
  apiContractProblems,
  DOCUMENT_PATH,
  fetchOpenApiDocument,
  OpenApiContract,
  openApiProblems,
  type ReceivedAnswer,
} from './support/api-contract.js';
import { dereference, isObject, type Json } from './support/api-contract/document.js';
import { PASSWORD, TARO } from './support/demo-accounts.js';
import { useServiceFixture } from './support/fixture.js';
import { rejectionOf } from './support/thrown.js';
import { type Agent, callbackPath, signIn } from './support/test-app.js';

const ERROR_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
};

/** A JSON response of the hand-written document. */
const json = (schema: object) => ({
  description: 'JSON',
  content: { 'application/json': { schema } },
});
const ERROR = { $ref: '#/components/responses/Error' };

/** A small document in the shape of the app's, written by hand: the checker's known answers. */
const handWritten = (): Json => ({
  openapi: '3.1.0',
  info: { title: 'hand-written', version: '1' },
  paths: {
    '/api/messages': {
      get: {
        responses: { '200': json({ $ref: '#/components/schemas/Page' }), '401': ERROR },
      },
    },
    '/api/messages/{id}': {
      get: { responses: { '200': json({ type: 'object' }), '4XX': ERROR } },
    },
    '/api/messages/bulk': {
      post: { responses: { '200': json({ type: 'object' }), default: ERROR } },
    },
    '/api/messages/{id}/attachments/{attachmentId}': {
      get: {
        responses: {
          '200': {
            description: 'The attachment',
            content: { 'application/octet-stream': { schema: { type: 'string' } } },
          },
          '404': ERROR,
        },
      },
    },
  },
  components: {
    schemas: {
      Page: {
        type: 'object',
        additionalProperties: false,
        required: ['unreadCount', 'messages', 'nextPageToken'],
        properties: {
          unreadCount: { type: 'integer', minimum: 0 },
          messages: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id'],
              properties: {
                id: { type: 'string', pattern: '^[0-9a-f]{16}$' },
                receivedAt: { type: 'string', format: 'date-time' },
              },
            },
          },
          nextPageToken: { type: ['string', 'null'] },
        },
      },
      Error: ERROR_SCHEMA,
    },
    responses: { Error: json({ $ref: '#/components/schemas/Error' }) },
  },
});

const JSON_TYPE = 'application/json; charset=utf-8';
const page = (body: Json): ReceivedAnswer => ({
  method: 'GET',
  path: '/api/messages',
  status: 200,
  contentType: JSON_TYPE,
  body,
});
const PAGE = { unreadCount: 1, messages: [{ id: '0123456789abcdef' }], nextPageToken: null };
const NOT_SIGNED_IN = {
  error: { code: 'not_signed_in', message: 'Please connect to Gmail first.' },
};

describe(OpenApiContract.name, () => {
  const contract = new OpenApiContract(handWritten());

  it('should find the operation by method, a concrete path before a templated one', () => {
    const ok = { status: 200, contentType: JSON_TYPE, body: {} };
    expect(contract.problemsOf({ method: 'POST', path: '/api/messages/bulk', ...ok })).toEqual([]);
    // Express routes GET /api/messages/bulk to GET /api/messages/:id: so does the checker.
    expect(contract.problemsOf({ method: 'GET', path: '/api/messages/bulk', ...ok })).toEqual([]);
    expect(contract.problemsOf({ ...page(PAGE), method: 'HEAD', body: undefined })).toEqual([]);
    for (const [method, path] of [
      ['DELETE', '/api/messages'],
      ['GET', '/api/x'],
      ['GET', '/api/messages/a/b'],
    ]) {
      expect(contract.problemsOf({ method, path, status: 404 })).toEqual([
        `${method} ${path} answered 404 but is not in the document`,
      ]);
    }
  });

  it('should take a status as it is, else its range, else default, and name those it gives', () => {
    const error = { contentType: JSON_TYPE, body: NOT_SIGNED_IN };
    expect(contract.problemsOf({ ...page(PAGE), status: 429, ...error })).toEqual([
      'GET /api/messages answered 429, a status the document does not give for it (it gives 200, 401)',
    ]);
    const one = { method: 'GET', path: '/api/messages/0123456789abcdef', ...error };
    expect(contract.problemsOf({ ...one, status: 404 })).toEqual([]);
    expect(contract.problemsOf({ ...one, status: 503 })).toEqual([
      'GET /api/messages/{id} answered 503, a status the document does not give for it (it gives 200, 4XX)',
    ]);
    const bulk = { method: 'POST', path: '/api/messages/bulk', ...error };
    expect(contract.problemsOf({ ...bulk, status: 503 })).toEqual([]);
  });

  it("should validate a JSON body by its status's schema, with $refs resolved into components", () => {
    expect(contract.problemsOf(page(PAGE))).toEqual([]);
    expect(contract.problemsOf(page({ ...PAGE, stale: false }))).toEqual([
      "GET /api/messages answered 200 with a body that breaks its schema: (the body) must NOT have additional properties 'stale'",
    ]);
    const wrong = { messages: [{ id: 'xyz', receivedAt: 'Monday' }], nextPageToken: null };
    expect(contract.problemsOf(page(wrong))).toEqual([
      'GET /api/messages answered 200 with a body that breaks its schema: ' +
        "(the body) must have required property 'unreadCount'; " +
        '/messages/0/id must match pattern "^[0-9a-f]{16}$"; ' +
        '/messages/0/receivedAt must match format "date-time"',
    ]);
    const error = { ...page({ error: { code: 'not_signed_in' } }), status: 401 };
    expect(contract.problemsOf(error)).toEqual([
      "GET /api/messages answered 401 with a body that breaks its schema: /error must have required property 'message'",
    ]);
  });

  it('should check only the status of a binary answer, and refuse JSON where the document gives none', () => {
    const attachment = { method: 'GET', path: '/api/messages/0123456789abcdef/attachments/a1' };
    const binary = { contentType: 'application/octet-stream' };
    expect(contract.problemsOf({ ...attachment, status: 200, ...binary })).toEqual([]);
    expect(contract.problemsOf({ ...attachment, status: 500, ...binary })).toEqual([
      'GET /api/messages/{id}/attachments/{attachmentId} answered 500, a status the document does not give for it (it gives 200, 404)',
    ]);
    expect(
      contract.problemsOf({ ...attachment, status: 200, contentType: JSON_TYPE, body: {} }),
    ).toEqual([
      'GET /api/messages/{id}/attachments/{attachmentId} answered 200 as application/json, a type the document does not give for it (it gives application/octet-stream)',
    ]);
  });

  it('should report a schema that does not compile strictly, such as OpenAPI 3.0 nullable', () => {
    const document = handWritten();
    const schemas = (document.components as { schemas: { Page: { properties: Json } } }).schemas;
    schemas.Page.properties.nextPageToken = { type: 'string', nullable: true };
    const broken = new OpenApiContract(document);
    expect(broken.problemsOf(page(PAGE))).toEqual([
      'GET /api/messages answered 200, and its schema in the document does not compile: strict mode: unknown keyword: "nullable"',
    ]);
    expect(broken.schemaProblems()).toEqual([
      '/paths/~1api~1messages/get/responses/200/content/application~1json/schema: strict mode: unknown keyword: "nullable"',
    ]);
    expect(contract.schemaProblems()).toEqual([]);
  });

  it('should report a format it does not know, and a schema the meta-schema refuses', () => {
    const document = handWritten();
    const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
    (schemas.Page.properties as Json).nextPageToken = { type: 'string', format: 'page-token' };
    schemas.Error.required = 'error';
    expect(new OpenApiContract(document).schemaProblems()).toEqual([
      '/components/schemas/Error: /required must be array',
      '/paths/~1api~1messages/get/responses/200/content/application~1json/schema: unknown format "page-token" ignored in schema at path "#/properties/nextPageToken"',
      // Every response that refers to the broken schema does not compile either.
      '/components/responses/Error/content/application~1json/schema: required value must be ["array"]',
    ]);
  });
});

describe(openApiProblems.name, () => {
  it('should accept the hand-written OpenAPI 3.1 document', () => {
    expect(openApiProblems(handWritten())).toEqual([]);
  });

  it('should refuse another version, a missing info, and a response without description', () => {
    const withoutInfo = handWritten();
    delete withoutInfo.info;
    expect(openApiProblems({ ...handWritten(), openapi: '3.0.3' }).join('\n')).toContain(
      '/openapi must match pattern',
    );
    expect(openApiProblems(withoutInfo).join('\n')).toContain(
      "(the document) must have required property 'info'",
    );
    const document = handWritten();
    const paths = document.paths as Record<string, { get: { responses: Json } }>;
    paths['/api/messages'].get.responses['200'] = { content: {} };
    expect(openApiProblems(document).join('\n')).toContain(
      "/paths/~1api~1messages/get/responses/200 must have required property 'description'",
    );
  });
});

describe(fetchOpenApiDocument.name, () => {
  let answer = { status: 404, type: 'application/json', body: '{}' };
  const server: Server = createServer((_request, response) => {
    response.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
  });

  beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('should take the document from a 200 JSON answer only', async () => {
    expect((await rejectionOf(fetchOpenApiDocument(server), ApiContractError)).message).toBe(
      'GET /api/openapi.json answered 404 application/json, not 200 with the OpenAPI document',
    );
    answer = { status: 503, type: 'application/json', body: '{}' };
    expect((await rejectionOf(fetchOpenApiDocument(server), ApiContractError)).message).toBe(
      'GET /api/openapi.json answered 503 application/json, not 200 with the OpenAPI document',
    );
    answer = { status: 200, type: 'text/html', body: '<p>docs</p>' };
    await rejectionOf(fetchOpenApiDocument(server), ApiContractError);
    answer = { status: 200, type: 'application/json', body: '{"openapi":"3.1.0"}' };
    expect(await fetchOpenApiDocument(server)).toEqual({ openapi: '3.1.0' });
  });
});

describe(ApiContractCheck.name, () => {
  it('should list each problem once, with the number of instances that had it', () => {
    const check = new ApiContractCheck();
    check.verify();
    check.record(['GET /api/x answered 404 but is not in the document']);
    check.record([
      'GET /api/x answered 404 but is not in the document',
      'GET /api/messages answered 429, a status the document does not give for it (it gives 200, 401)',
    ]);
    expect(() => check.verify()).toThrow(
      new ApiContractError(
        [
          "The /api answers of this describe block break the app's OpenAPI document (GET /api/openapi.json):",
          '  - GET /api/x answered 404 but is not in the document (in 2 instances)',
          '  - GET /api/messages answered 429, a status the document does not give for it (it gives 200, 401)',
        ].join('\n'),
      ),
    );
  });
});

describe('recording the answers under /api', () => {
  const sut = useServiceFixture();

  it('should record method, path, status, type and JSON body of /api answers, and nothing else', async () => {
    await supertest(sut.server).get('/api/messages?pageToken=x').expect(401);
    await supertest(sut.server).get('/').expect(200);
    await supertest(sut.server).get(DOCUMENT_PATH);
    expect(answersOf(sut.app)).toEqual([
      {
        method: 'GET',
        path: '/api/messages',
        status: 401,
        contentType: JSON_TYPE,
        text: JSON.stringify(NOT_SIGNED_IN),
      },
    ]);
  });

  it('should keep the whole body of a signed-in answer (express-session writes it in parts)', async () => {
    const agent = sut.agent();
    await signIn(agent, { email: TARO });
    const list = await agent.get('/api/messages').expect(200);
    const answer = answersOf(sut.app).find((a) => a.status === 200)!;
    expect(answer).toMatchObject({ method: 'GET', path: '/api/messages', contentType: JSON_TYPE });
    expect(JSON.parse(answer.text!)).toEqual(list.body);
  });
});

/** Signs in and grants gmail.modify, as the first action would (mail-actions.e2e-spec.ts). */
async function signInWithModify(agent: Agent, email: string) {
  expect((await signIn(agent, { email })).status).toBe(303);
  const ask = `/oauth?scope=${encodeURIComponent(GMAIL_MODIFY_SCOPE)}&return_to=%2Fhome`;
  const start = await agent.get(ask).expect(302);
  const callback = await consentAtEmulator(start.headers.location, { email, password: PASSWORD });
  expect((await agent.get(callbackPath(callback))).status).toBe(303);
}

/** The page's CSRF token, for X-CSRF-Token. */
async function metaToken(agent: Agent): Promise<string> {
  const home = await agent.get('/home').expect(200);
  return /<meta name="csrf-token" content="([^"]+)">/.exec(home.text)![1];
}

/** The app's document (fetchOpenApiDocument throws for anything but a 200 JSON answer). */
function documentOf(app: NestExpressApplication): Promise<Json> {
  return fetchOpenApiDocument(app.getHttpServer());
}

/** `GET /api/messages/{}`: a route with its variables unnamed, to compare Express's with the document's. */
const unnamed = (method: string, path: string) =>
  `${method.toUpperCase()} ${path.replace(/\{[^}/]+\}|:\w+/g, '{}')}`;

/** Every route the app's Express router holds under /api/ but the document's own. */
function registeredApiRoutes(app: NestExpressApplication): string[] {
  interface Layer {
    route?: { path: unknown; methods: Record<string, boolean> };
  }
  const express = app.getHttpAdapter().getInstance() as unknown as { router: { stack: Layer[] } };
  return express.router.stack.flatMap(({ route }) => {
    if (!route || typeof route.path !== 'string' || !route.path.startsWith('/api/')) return [];
    if (route.path === DOCUMENT_PATH) return [];
    return Object.keys(route.methods).map((method) => unnamed(method, String(route.path)));
  });
}

/** Every operation the document declares under /api/, but its own route. */
function documentedApiRoutes(document: Json): string[] {
  const paths = isObject(document.paths) ? document.paths : {};
  return Object.entries(paths).flatMap(([template, item]) =>
    template.startsWith('/api/') && template !== DOCUMENT_PATH && isObject(item)
      ? Object.keys(item)
          .filter((key) => ['get', 'put', 'post', 'delete', 'patch', 'head'].includes(key))
          .map((method) => unnamed(method, template))
      : [],
  );
}

/** Every operation of the document, by its unnamed route. */
function operationsOf(document: Json): [string, Json][] {
  const paths = document.paths as Record<string, Json>;
  return documentedApiRoutes(document).map((route) => {
    const [method] = route.split(' ');
    const template = Object.keys(paths).find((key) => unnamed(method, key) === route)!;
    return [`${method} ${template}`, paths[template][method.toLowerCase()] as Json];
  });
}

describe("the app's OpenAPI document", () => {
  const sut = useServiceFixture();
  let document: Json;

  beforeAll(async () => {
    document = await documentOf(sut.app);
  });

  it('should be valid OpenAPI 3.1.0, its response schemas strict JSON Schema 2020-12', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(openApiProblems(document)).toEqual([]);
    expect(new OpenApiContract(document).schemaProblems()).toEqual([]);
  });

  it('should declare every /api route the app registers, and no other', () => {
    const registered = registeredApiRoutes(sut.app).sort();
    expect(registered).toContain('POST /api/messages/{}/read');
    expect(documentedApiRoutes(document).sort()).toEqual(registered);
  });

  it('should give every response of every /api operation a body, each JSON one by a schema', () => {
    const problems = operationsOf(document).flatMap(([name, operation]) =>
      Object.entries(operation.responses as Json).flatMap(([status, node]) => {
        const response = dereference(document, node, '');
        const content = isObject(response?.value.content) ? response.value.content : {};
        const types = Object.entries(content);
        if (types.length === 0) return [`${name} ${status}: no content`];
        return types
          .filter(([type, media]) => type.includes('json') && !(isObject(media) && media.schema))
          .map(([type]) => `${name} ${status} ${type}: no schema`);
      }),
    );
    expect(problems).toEqual([]);
  });

  it('should declare the session cookie on every operation, and X-CSRF-Token on every action', () => {
    const schemes = ((document.components as Json | undefined)?.securitySchemes ?? {}) as Record<
      string,
      Json
    >;
    const cookieName = sut.app.get(SessionConfig).cookieName;
    const cookie = Object.keys(schemes).filter(
      (name) => schemes[name].type === 'apiKey' && schemes[name].in === 'cookie',
    );
    expect(cookie.map((name) => schemes[name].name)).toContain(cookieName);
    const csrfSchemes = Object.keys(schemes).filter(
      (name) =>
        schemes[name].in === 'header' &&
        String(schemes[name].name).toLowerCase() === 'x-csrf-token',
    );
    const requirements = (operation: Json) =>
      ((operation.security ?? document.security ?? []) as Json[]).flatMap(Object.keys);
    const headers = (operation: Json) =>
      ((operation.parameters ?? []) as Json[])
        .filter((parameter) => parameter.in === 'header')
        .map((parameter) => String(parameter.name).toLowerCase());
    const problems = operationsOf(document).flatMap(([name, operation]) => [
      ...(requirements(operation).some((scheme) => cookie.includes(scheme))
        ? []
        : [`${name}: no session cookie`]),
      ...(name.startsWith('GET ') ||
      headers(operation).includes('x-csrf-token') ||
      requirements(operation).some((scheme) => csrfSchemes.includes(scheme))
        ? []
        : [`${name}: no X-CSRF-Token`]),
    ]);
    expect(problems).toEqual([]);
  });
});

describe('the test of the test: real answers against a copy of the document with a part taken out', () => {
  const sut = useServiceFixture();
  let document: Json;
  let list: ReceivedAnswer;
  let notSignedIn: ReceivedAnswer;
  let read: ReceivedAnswer;

  /** The answer the app recorded for this request, as the checker reads it. */
  const recorded = (method: string, path: string, status: number): ReceivedAnswer => {
    const answer = answersOf(sut.app).find(
      (a) => a.method === method && a.path === path && a.status === status,
    );
    if (!answer?.text) throw new Error(`no ${method} ${path} ${status} recorded`);
    return { ...answer, body: JSON.parse(answer.text) as unknown };
  };

  beforeAll(async () => {
    document = await documentOf(sut.app);
    await supertest(sut.server).get('/api/messages').expect(401);
    const agent = sut.agent();
    await signInWithModify(agent, TARO);
    const [id] = sut.emulator.inboxUnread(TARO);
    await agent.get('/api/messages').expect(200);
    await agent
      .post(`/api/messages/${id}/read`)
      .set('X-CSRF-Token', await metaToken(agent))
      .send({})
      .expect(200);
    list = recorded('GET', '/api/messages', 200);
    notSignedIn = recorded('GET', '/api/messages', 401);
    read = recorded('POST', `/api/messages/${id}/read`, 200);
  });

  /** The template the document gives for a request, such as `/api/messages/{id}/read`. */
  const templateOf = (copy: Json, method: string, path: string) => {
    const found = new OpenApiContract(copy).problemsOf({ method, path, status: 0 })[0];
    return /^\w+ (\S+) answered 0, a status/.exec(found)![1];
  };
  /** The operation of the copy for a request. */
  const operationOf = (copy: Json, method: string, path: string) =>
    (copy.paths as Record<string, Json>)[templateOf(copy, method, path)][method.toLowerCase()] as {
      responses: Json;
    };
  /** The object schema of a JSON answer in the copy, $refs followed (into components). */
  const schemaOf = (copy: Json, answer: ReceivedAnswer) => {
    const { responses } = operationOf(copy, answer.method, answer.path);
    const response = dereference(copy, responses[String(answer.status)], '');
    const content = response?.value.content;
    const media = isObject(content)
      ? dereference(copy, content['application/json'], '')
      : undefined;
    const schema = dereference(copy, media?.value.schema, '')?.value;
    if (!isObject(schema?.properties)) {
      throw new Error(`no object schema for ${answer.method} ${answer.path} ${answer.status} JSON`);
    }
    return schema as { properties: Json; required?: string[] };
  };
  /** The copy without `field` in the schema of `answer`. */
  const withoutField = (answer: ReceivedAnswer, field: string) => {
    const copy = structuredClone(document);
    const schema = schemaOf(copy, answer);
    expect(Object.keys(schema.properties)).toContain(field);
    delete schema.properties[field];
    schema.required = schema.required?.filter((name) => name !== field);
    return copy;
  };

  it('should find nothing wrong with the real answers on the real document', () => {
    const contract = new OpenApiContract(document);
    for (const answer of [list, notSignedIn, read]) expect(contract.problemsOf(answer)).toEqual([]);
  });

  it('should report the answer of a route taken out as not in the document', () => {
    const copy = structuredClone(document);
    delete (copy.paths as Record<string, Json>)[templateOf(copy, 'GET', '/api/messages')].get;
    expect(new OpenApiContract(copy).problemsOf(list)).toEqual([
      'GET /api/messages answered 200 but is not in the document',
    ]);
  });

  it.each([
    ['unreadCount', 'the list', () => list],
    ['changed', 'an action', () => read],
  ])('should report the real answer once %s is taken out of %s answer', (field, _of, answer) => {
    const problems = new OpenApiContract(withoutField(answer(), field)).problemsOf(answer());
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/ answered 200 with a body that breaks its schema: /);
    expect(problems[0]).toContain(field);
  });

  it('should report a status taken out of the document (and its range and default)', () => {
    const copy = structuredClone(document);
    const { responses } = operationOf(copy, 'GET', '/api/messages');
    for (const status of ['401', '4XX', 'default']) delete responses[status];
    const [problem] = new OpenApiContract(copy).problemsOf(notSignedIn);
    expect(problem).toMatch(
      /^GET \/api\/messages answered 401, a status the document does not give for it \(it gives /,
    );
  });
});

describe('the check at the end of a describe block, on the running app', () => {
  // The one block that breaks the contract on purpose: its own check would fail it.
  const sut = useServiceFixture({ checkApiContract: false });

  it('should list an answer the document does not have, by route and status', async () => {
    await supertest(sut.server).get('/api/no-such-route').expect(404);
    expect(await apiContractProblems(sut.app)).toEqual([
      'GET /api/no-such-route answered 404 but is not in the document',
    ]);
    const check = new ApiContractCheck();
    await check.collect(sut.app);
    expect(() => check.verify()).toThrow(
      '  - GET /api/no-such-route answered 404 but is not in the document',
    );
  });
});

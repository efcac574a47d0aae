import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { fixedHeaders } from './fixed-headers.js';

const options = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'self'"], objectSrc: ["'none'"], upgradeInsecureRequests: [] },
  },
  strictTransportSecurity: { maxAge: 31_536_000 },
  referrerPolicy: { policy: 'no-referrer' as const },
};

async function headersOf(middleware: RequestHandler): Promise<Record<string, string>> {
  const app = express();
  app.use((_request, response, next) => {
    response.setHeader('X-Powered-By', 'something');
    next();
  });
  app.use(middleware);
  app.get('/', (_request, response) => response.send('ok'));
  const { headers } = await supertest(app).get('/').expect(200);
  delete headers.date;
  return headers;
}

describe(fixedHeaders.name, () => {
  it('should send exactly the headers helmet sends, and remove what it removes', async () => {
    const replayed = await headersOf(fixedHeaders(helmet(options)));
    expect(replayed).toEqual(await headersOf(helmet(options)));
    expect(replayed['content-security-policy']).toBe(
      "default-src 'self';object-src 'none';upgrade-insecure-requests",
    );
    expect(replayed['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(replayed['x-powered-by']).toBeUndefined();
  });

  it('should refuse a middleware whose headers depend on the request', () => {
    const perRequest = helmet({
      contentSecurityPolicy: {
        directives: { scriptSrc: ["'self'", (request) => `'nonce-${String(request.url)}'`] },
      },
    });
    expect(() => fixedHeaders(perRequest)).toThrow(/reads the request/);
  });

  it('should refuse a middleware that does not finish at once', () => {
    expect(() => fixedHeaders((_request, _response, next) => setImmediate(next))).toThrow(
      /did not finish synchronously/,
    );
  });
});

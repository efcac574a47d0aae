import { readFileSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamAgentOptions } from './upstream-http.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url));

/**
 * A TLS server that offers h2 and http/1.1 by ALPN, as Google's front ends do: the upstream
 * agent must choose HTTP/1.1 (see upstreamAgentOptions), where undici 8 alone chooses h2.
 */
describe('upstreamAgentOptions', () => {
  let server: Http2SecureServer;
  let base: string;
  const cert = fixture('loopback-tls.cert.pem');

  beforeAll(async () => {
    server = createSecureServer(
      { key: fixture('loopback-tls.key.pem'), cert, allowHTTP1: true },
      (req, res) => res.end(req.httpVersion),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function versionSeenWith(options: Agent.Options): Promise<string> {
    const agent = new Agent({ ...options, connect: { ca: cert } });
    try {
      const answer = await request(`${base}/batch`, {
        method: 'POST',
        body: 'x',
        dispatcher: agent,
      });
      return await answer.body.text();
    } finally {
      await agent.close();
    }
  }

  it('should speak HTTP/1.1 to a server that offers h2', async () => {
    expect(upstreamAgentOptions().allowH2).toBe(false);
    expect(await versionSeenWith(upstreamAgentOptions())).toBe('1.1');
  });

  it("should be needed: undici's default agent negotiates h2 with the same server", async () => {
    expect(await versionSeenWith({})).toBe('2.0');
  });
});

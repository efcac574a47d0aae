import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyOptions,
} from 'jose';
import type { Clock } from '../common/clock.js';
import { parseJsonBody, type UpstreamHttp } from '../common/upstream-http.js';
import {
  type Upstream,
  UpstreamError,
  UpstreamResponseError,
  UpstreamStatusError,
} from '../common/upstream.errors.js';

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

/** Like the discovery document: fetched keys are trusted this long. */
const MAX_AGE_MS = 60 * 60_000;
/** A token naming an unknown key refetches the keys at most this often. */
const REFETCH_COOLDOWN_MS = 30_000;

/**
 * The JSON Web Key Set (RFC 7517 §5) a signer publishes at a URI, for verifying its JWTs with
 * jose: fetched through UpstreamHttp under `upstream`, so a failure to get the keys is that
 * upstream's named error (status, malformed body, timeout, network); trusted an hour; a token
 * signed by a key the cached set lacks (a rotation) fetches the set again, once, at most every
 * 30 s. A token that fails verification throws jose's error (errors.JOSEError).
 */
export class RemoteKeySet {
  private cached?: { uri: string; keys: LocalKeySet; fetchedAt: number };

  constructor(
    private readonly http: UpstreamHttp,
    private readonly clock: Clock,
    private readonly upstream: Upstream,
  ) {}

  /** The token's payload once its signature and `options`' claims check out (RFC 7519 §7.2). */
  async verify(uri: string, token: string, options: JWTVerifyOptions): Promise<JWTPayload> {
    const checks = { currentDate: new Date(this.clock.now()), ...options };
    const cached = this.fresh(uri);
    try {
      return (await jwtVerify(token, cached ?? (await this.fetch(uri)), checks)).payload;
    } catch (error) {
      // An unknown kid may be a rotated key: keys cached from before are fetched again, once.
      if (!(error instanceof errors.JWKSNoMatchingKey) || !cached || !this.mayRefetch()) {
        throw error;
      }
      return (await jwtVerify(token, await this.fetch(uri), checks)).payload;
    }
  }

  private fresh(uri: string): LocalKeySet | undefined {
    const cached = this.cached;
    const fresh = cached?.uri === uri && this.clock.now() - cached.fetchedAt < MAX_AGE_MS;
    return fresh ? cached.keys : undefined;
  }

  private mayRefetch(): boolean {
    return !this.cached || this.clock.now() - this.cached.fetchedAt > REFETCH_COOLDOWN_MS;
  }

  private async fetch(uri: string): Promise<LocalKeySet> {
    const response = await this.http.send(this.upstream, uri, {
      headers: { accept: 'application/json' },
    });
    if (response.status !== 200) throw new UpstreamStatusError(this.upstream, response.status);
    let keys: LocalKeySet;
    try {
      keys = createLocalJWKSet(parseJsonBody(this.upstream, response) as JSONWebKeySet);
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamResponseError(this.upstream, '$ is not a JSON Web Key Set', {
        cause: error,
      });
    }
    this.cached = { uri, keys, fetchedAt: this.clock.now() };
    return keys;
  }
}

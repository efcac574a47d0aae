/** The parts of oidc-provider v9 (which ships no types) that the emulator uses. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContext {
    path: string;
    method: string;
    status: number;
    body: unknown;
    req: IncomingMessage;
    set(name: string, value: string): void;
    response: { get(name: string): string };
    oidc?: {
      body?: Record<string, unknown>;
      params?: Record<string, unknown>;
      entities?: Record<string, unknown>;
    };
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; details: Record<string, unknown>; reasons: string[] };
    params: Record<string, string | undefined>;
    session?: { accountId: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
    /** Expiry, epoch seconds. */
    exp: number;
    save(ttlSeconds: number): Promise<string>;
  }

  export interface GrantInstance {
    addOIDCScope(scope: string): void;
    rejectOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    rejectResourceScope(resource: string, scope: string): void;
    getOIDCScope(): string;
    getResourceScope(resource: string): string;
    save(): Promise<string>;
    destroy(): Promise<void>;
    jti: string;
    accountId: string;
    clientId: string;
  }

  export interface TokenInstance {
    jti: string;
    accountId: string;
    clientId: string;
    grantId: string;
    scope?: string;
    iat: number;
    exp: number;
    isExpired: boolean;
    resourceServer?: unknown;
    aud?: string | string[];
  }

  export interface GrantStatic {
    new (init: { accountId: string; clientId: string }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
  }

  export interface TokenStatic {
    find(
      token: string,
      options?: { ignoreExpiration?: boolean },
    ): Promise<TokenInstance | undefined>;
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    on(event: string, listener: (...args: unknown[]) => void): void;
    proxy: boolean;
    Grant: GrantStatic;
    AccessToken: TokenStatic;
    RefreshToken: TokenStatic;
  }

  export default Provider;
}

import type { EmulatedApi } from './types.js';

/**
 * The Google-like APIs tests add beside Gmail (GoogleEmulator.registerApi). They may be added
 * after start, so the authorization server and the consent page read them on every request.
 */
export class RegisteredApis {
  private readonly apis: EmulatedApi[] = [];

  add(api: EmulatedApi): void {
    if (this.apis.some((known) => known.endpoint === api.endpoint || known.path === api.path)) {
      throw new Error(`an API is already registered as ${api.endpoint} or at ${api.path}`);
    }
    this.apis.push(api);
  }

  list(): readonly EmulatedApi[] {
    return this.apis;
  }

  scopes(): string[] {
    return this.apis.map((api) => api.scope);
  }

  /** The API that answers this request: each answers GET on its exact path. */
  at(method: string, path: string): EmulatedApi | undefined {
    return this.apis.find((known) => method === 'GET' && known.path === path);
  }
}

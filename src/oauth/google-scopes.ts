import { isMessageKey } from '../i18n/i18n.js';
import { Injectable } from '@nestjs/common';

/** OpenID Connect Core §5.4: who the user is; asked for at every sign-in. */
export const IDENTITY_SCOPES = ['openid', 'email', 'profile'] as const;

/** One scope a Google API feature needs. */
export interface FeatureScope {
  /** The scope URI, e.g. https://www.googleapis.com/auth/gmail.readonly. */
  scope: string;
  /**
   * Asked for at sign-in (the app's purpose needs it at once); otherwise asked for by
   * incremental authorization when a route of the feature first needs it.
   */
  atSignIn: boolean;
  /** The key of its description on /account, in the feature's messages ("Read your email"). */
  label?: string;
}

/** What a Google API feature declares to the core (GoogleFeatureModule.forFeature). */
export interface GoogleFeature {
  /** The API's name as users know it ("Gmail"); shown in its error pages. */
  api: string;
  scopes: readonly FeatureScope[];
}

/** The identity scopes in words (Google also grants the userinfo.* forms of email and profile). */
const IDENTITY_LABELS: Readonly<Record<string, string>> = {
  openid: 'scope.openid',
  email: 'scope.email',
  profile: 'scope.profile',
  'https://www.googleapis.com/auth/userinfo.email': 'scope.email',
  'https://www.googleapis.com/auth/userinfo.profile': 'scope.profile',
};

/** Scope URIs, as Google writes them; also keeps control characters out of redirects. */
const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/;

/** Every scope the features declared, filled at start-up, read by sign-in and the scope guard. */
@Injectable()
export class GoogleScopes {
  private readonly declared = new Map<
    string,
    { api: string; atSignIn: boolean; label: string | undefined }
  >();

  declare(feature: GoogleFeature): void {
    for (const { scope, atSignIn, label } of feature.scopes) {
      // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
      if (!SCOPE_PATTERN.test(scope)) throw new Error(`malformed scope "${scope}"`);
      // Catalogues are registered before any module is built (AppModule.forRoot).
      if (label !== undefined && !isMessageKey(label)) {
        throw new Error(`${feature.api}: scope label "${label}" is in no message catalogue`);
      }
      const known = this.declared.get(scope);
      this.declared.set(scope, {
        api: feature.api,
        atSignIn: atSignIn || !!known?.atSignIn,
        label: label ?? known?.label,
      });
    }
  }

  /** What sign-in asks for: the identity scopes and every scope marked atSignIn. */
  atSignIn(): string[] {
    const marked = [...this.declared].filter(([, entry]) => entry.atSignIn);
    return [...IDENTITY_SCOPES, ...marked.map(([scope]) => scope)];
  }

  isDeclared(scope: string): boolean {
    return this.declared.has(scope);
  }

  isAskedAtSignIn(scope: string): boolean {
    return this.declared.get(scope)?.atSignIn ?? false;
  }

  /** The message key that describes a scope on /account: the identity scopes' or a feature's. */
  labelOf(scope: string): string | undefined {
    return IDENTITY_LABELS[scope] ?? this.declared.get(scope)?.label;
  }

  /** The API a scope belongs to, for messages. */
  apiOf(scope: string): string {
    return this.declared.get(scope)?.api ?? 'Google';
  }
}

import { AppError } from '../common/app.error.js';

/** The callback's `state` is missing, malformed, unknown to this session, used or expired. */
export class InvalidStateError extends AppError {
  readonly status = 400;
  readonly code = 'state_invalid';
}

/** The callback is otherwise unusable: no code, or an `iss` that is not our issuer (RFC 9207). */
export class InvalidCallbackError extends AppError {
  readonly status = 400;
  readonly code = 'callback_invalid';
}

/** The authorization server redirected back with `error=...` (RFC 6749 §4.1.2.1). */
export class AuthorizationDeniedError extends AppError {
  readonly status = 400;
  readonly code: 'access_denied' | 'authorization_error';
  override readonly offerReconnect = true;
  constructor(readonly error: string) {
    super(`authorization server answered error=${error}`);
    this.code = error === 'access_denied' ? 'access_denied' : 'authorization_error';
  }
}

/** The token endpoint answered an OAuth error body (RFC 6749 §5.2), e.g. invalid_grant. */
export class TokenRequestError extends AppError {
  readonly status = 400;
  readonly code = 'token_rejected';
  override readonly offerReconnect = true;
  constructor(
    readonly error: string,
    readonly upstreamStatus: number,
  ) {
    super(`token endpoint answered ${upstreamStatus} error=${error}`);
  }
}

/**
 * Google answered a sign-in with no refresh token although its consent screen was asked for:
 * stored access could not outlive the hour, so the sign-in stops with an explanation.
 */
export class OfflineAccessError extends AppError {
  readonly status = 502;
  readonly code = 'offline_access_missing';
  override readonly offerReconnect = true;
}

/** The ID token failed verification (OpenID Connect Core §3.1.3.7). */
export class IdTokenError extends AppError {
  readonly status = 400;
  readonly code = 'id_token_invalid';
  override readonly offerReconnect = true;
}

/** The account is outside ALLOWED_DOMAINS. */
export class DomainNotAllowedError extends AppError {
  readonly status = 403;
  readonly code = 'domain_refused';
}

/**
 * A route needs a scope that is not granted: refused on Google's granular consent screen, or
 * asked for by a form post or an /api route, which cannot follow an authorization redirect.
 * The page explains and offers to ask again (`reconnectUrl`); it never redirects by itself.
 */
export class ScopeNotGrantedError extends AppError {
  readonly status = 403;
  readonly code = 'scope_missing';
  override readonly offerReconnect = true;
  override readonly messageParams: Readonly<Record<string, string>>;
  constructor(
    api: string,
    override readonly reconnectUrl: string | undefined,
    message: string,
  ) {
    super(message);
    this.messageParams = { api };
  }
}

/** A page needs a scope never asked for yet: 302 to incremental authorization (`redirectTo`). */
export class ScopeConsentRequiredError extends AppError {
  readonly status = 403;
  readonly code = 'scope_missing';
  override readonly offerReconnect = true;
  constructor(
    override readonly redirectTo: string,
    message: string,
  ) {
    super(message);
  }
}

/** Stored access ended: refresh token revoked or expired, or none and the access token expired. */
export class ReconnectRequiredError extends AppError {
  readonly status = 401;
  readonly code: 'reconnect' | 'access_revoked';
  override readonly offerReconnect = true;
  constructor(reason: 'reconnect' | 'access_revoked', message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = reason;
  }
}

/** A protected page was asked for without a signed-in session. */
export class NotSignedInError extends AppError {
  readonly status = 401;
  readonly code = 'not_signed_in';
  /** Pages send the visitor to the landing page; /api answers 401. */
  override readonly redirectTo = '/';
}

/** A form post without this session's CSRF token. */
export class CsrfTokenError extends AppError {
  readonly status = 403;
  readonly code = 'csrf_invalid';
}

/** Google reported the account disabled (RISC account-disabled) and has not re-enabled it. */
export class AccountDisabledError extends AppError {
  readonly status = 403;
  readonly code = 'account_disabled';
}

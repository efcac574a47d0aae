/**
 * The Google core's public face: "signed in with Google and allowed to call Google". Feature
 * modules (src/gmail, and any new Google API feature) import from here only.
 */
export { AccountPresence } from './accounts/account-presence.js';
export { AccountSecurity, type TokenIdentifierAlg } from './accounts/account-security.js';
export { AccountState, type AccountStateWrite } from './accounts/account-state.js';
export { AuthorizedCall } from './api/authorized-call.js';
export { GoogleApiClient, type GoogleApiRequest } from './api/google-api.client.js';
export {
  googleApiErrorFor,
  isQuotaRefusal,
  readGoogleErrorReasons,
  retryAfterSeconds,
} from './api/google-api-error.js';
export {
  GoogleApiDisabledError,
  GoogleApiError,
  GoogleApiNotFoundError,
  GoogleApiPermissionError,
  GoogleApiRateLimitError,
  GoogleApiUnauthorizedError,
} from './api/google-api.errors.js';
export { GoogleJwtVerifier } from './google-jwt.verifier.js';
export {
  GoogleScopeGuard,
  NotResumableAfterConsent,
  RequiresGoogleScopes,
  ResumableAfterConsent,
} from './api/google-scope.guard.js';
export { ConsentContinuations } from './api/consent-continuations.js';
export { CsrfGuard } from './accounts/csrf.guard.js';
export { GoogleFeatureModule } from './google-feature.module.js';
export { type FeatureScope, type GoogleFeature, IDENTITY_SCOPES } from './google-scopes.js';
export { RemoteKeySet } from './remote-key-set.js';
export { returnPathOrUndefined } from './return-path.js';
export { OAuthModule } from './oauth.module.js';

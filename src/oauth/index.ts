/**
 * The Google core's public face: "signed in with Google and allowed to call Google". Feature
 * modules (src/gmail, and any new Google API feature) import from here only.
 */
export { AccountSecurity, type TokenIdentifierAlg } from './account-security.service.js';
export type { TokenSession } from './access-token.service.js';
export { AccountSessionMiddleware } from './account-session.middleware.js';
export { AuthorizedCall } from './authorized-call.js';
export { GoogleApiClient, type GoogleApiRequest } from './google-api.client.js';
export {
  googleApiErrorFor,
  isQuotaRefusal,
  readGoogleErrorReasons,
  retryAfterSeconds,
} from './google-api-error.js';
export {
  GoogleApiDisabledError,
  GoogleApiError,
  GoogleApiNotFoundError,
  GoogleApiPermissionError,
  GoogleApiRateLimitError,
  GoogleApiUnauthorizedError,
} from './google-api.errors.js';
export { GoogleFeatureModule } from './google-feature.module.js';
export { GoogleScopeGuard, RequiresGoogleScopes } from './google-scope.guard.js';
export { type FeatureScope, type GoogleFeature, IDENTITY_SCOPES } from './google-scopes.js';

import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '../metrics/metrics.registry.js';

export type SignInOutcome =
  | 'success'
  | 'denied'
  | 'state_invalid'
  | 'callback_invalid'
  | 'token_error'
  | 'id_token_invalid'
  | 'domain_refused'
  /** Sent back to Google once with prompt=consent for a refresh token (not an end state). */
  | 'consent_bounce'
  | 'offline_access_missing';
/** `shared`: another instance's refresh result was taken instead of refreshing (SharedRefresh). */
export type RefreshOutcome = 'success' | 'invalid_grant' | 'no_refresh_token' | 'error' | 'shared';

/** Sign-in and refresh counters. */
@Injectable()
export class OAuthMetrics {
  constructor(private readonly metrics: MetricsRegistry) {}

  signIn(outcome: SignInOutcome): void {
    this.metrics.signIns.inc({ outcome });
  }

  refresh(outcome: RefreshOutcome): void {
    this.metrics.refreshes.inc({ outcome });
  }
}

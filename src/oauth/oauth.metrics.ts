import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../common/metrics.registry.js';

export type SignInOutcome =
  | 'success'
  | 'denied'
  | 'state_invalid'
  | 'callback_invalid'
  | 'token_error'
  | 'id_token_invalid'
  | 'domain_refused'
  | 'account_disabled'
  /** Sent back to Google once with prompt=consent for a refresh token (not an end state). */
  | 'consent_bounce'
  | 'offline_access_missing';
/** `shared`: another instance's refresh result was taken instead of refreshing (SharedRefresh). */
export type RefreshOutcome = 'success' | 'invalid_grant' | 'no_refresh_token' | 'error' | 'shared';

/** Sign-in and refresh counters, registered by the OAuth module on the app's registry. */
@Injectable()
export class OAuthMetrics {
  readonly signIns: Counter<'outcome'>;
  readonly refreshes: Counter<'outcome'>;

  constructor(metrics: MetricsRegistry) {
    this.signIns = new Counter({
      name: 'oauth_sign_ins_total',
      help: 'Completed or refused sign-ins by outcome',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    this.refreshes = new Counter({
      name: 'oauth_token_refreshes_total',
      help: 'Access token refreshes by outcome',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
  }

  signIn(outcome: SignInOutcome): void {
    this.signIns.inc({ outcome });
  }

  refresh(outcome: RefreshOutcome): void {
    this.refreshes.inc({ outcome });
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app.error.js';
import { AccountSecurity, type TokenIdentifierAlg } from '../oauth/index.js';
import { RiscMetrics } from './risc.metrics.js';
import { RiscRejectedError, RiscUnavailableError } from './risc.errors.js';
import { eventsOf, OAUTH, RISC, type SecurityEvent, subjectSub } from './security-event.js';
import { SetVerifier } from './set.verifier.js';
import { RiscSettings } from './risc.settings.js';

const TOKEN_ALGS: readonly TokenIdentifierAlg[] = ['prefix', 'hash_base64_sha512_sha512'];

/**
 * Google's Cross-Account Protection receiver: verifies a SET, acts on each of its events
 * through the core (every instance sees the result through the shared store), then records its
 * `jti` so that a replay is ignored. Logs name the event type and the account, never the token.
 */
@Injectable()
export class RiscService {
  private readonly logger = new Logger('Risc');

  constructor(
    private readonly verifier: SetVerifier,
    private readonly security: AccountSecurity,
    private readonly metrics: RiscMetrics,
    private readonly settings: RiscSettings,
  ) {}

  async receive(token: string): Promise<void> {
    let events: SecurityEvent[] = [];
    try {
      const payload = await this.verifier.verify(token);
      events = eventsOf(payload);
      const jti = payload.jti!;
      if (await this.security.eventHandled(jti)) {
        this.record(events, 'replayed');
        return;
      }
      for (const event of events) await this.act(event);
      await this.security.eventDone(jti, this.settings.maxAgeSeconds * 1_000 + 3_600_000);
      this.record(events, 'accepted');
    } catch (error) {
      const failure = error instanceof RiscRejectedError || error instanceof RiscUnavailableError;
      const outcome = error instanceof RiscRejectedError ? 'rejected' : 'unavailable';
      // A SET refused before its events were read counts as type "unknown".
      this.record(events.length > 0 ? events : [{ type: '', subject: {}, body: {} }], outcome);
      if (failure) throw error;
      // The store (or anything else) failed mid-action: Google sends the event again.
      const detail = error instanceof AppError ? error.message : 'action failed';
      throw new RiscUnavailableError(detail, { cause: error });
    }
  }

  private async act(event: SecurityEvent): Promise<void> {
    const name = typeName(event.type);
    switch (event.type) {
      case `${RISC}sessions-revoked`:
        return this.security.endSessions(subjectSub(event), `risc_${name}`);
      case `${OAUTH}tokens-revoked`:
        return this.security.dropTokens(subjectSub(event), `risc_${name}`);
      case `${OAUTH}token-revoked`:
        return this.tokenRevoked(event);
      case `${RISC}account-disabled`: {
        const reason = typeof event.body.reason === 'string' ? event.body.reason : undefined;
        return this.security.disable(subjectSub(event), `risc_${name}`, reason);
      }
      case `${RISC}account-enabled`:
        return this.security.enable(subjectSub(event), `risc_${name}`);
      case `${RISC}account-credential-change-required`:
        return this.security.audit(`risc_${name}`, subjectSub(event));
      case `${RISC}verification`: {
        const state = typeof event.body.state === 'string' ? event.body.state : '';
        this.logger.log(
          { event: 'risc_verification', verificationState: state.slice(0, 200) },
          'verification',
        );
        return;
      }
      default:
        this.logger.log({ event: 'risc_unknown', type: event.type.slice(0, 200) }, 'unknown type');
    }
  }

  private async tokenRevoked(event: SecurityEvent): Promise<void> {
    const { token_identifier_alg: alg, token } = event.subject;
    if (!TOKEN_ALGS.includes(alg as TokenIdentifierAlg) || typeof token !== 'string' || !token) {
      throw new RiscRejectedError('subject is not an oauth_token with a known identifier');
    }
    const sub = await this.security.subOfToken(alg as TokenIdentifierAlg, token);
    if (!sub) {
      this.logger.log({ event: 'risc_token-revoked', outcome: 'no_match' }, 'no account holds it');
      return;
    }
    await this.security.dropTokens(sub, 'risc_token-revoked');
  }

  private record(events: SecurityEvent[], outcome: string): void {
    for (const event of events) {
      const type = typeName(event.type);
      this.metrics.count(type, outcome);
      this.logger.log({ event: 'risc', type, outcome }, `security event ${type} ${outcome}`);
    }
  }
}

/** The metric label of an event type: the last segment of a known URI, else "other". */
function typeName(type: string): string {
  if (type === '') return 'unknown';
  const known = type.startsWith(RISC) || type.startsWith(OAUTH);
  return known ? type.slice(type.lastIndexOf('/') + 1).slice(0, 60) : 'other';
}

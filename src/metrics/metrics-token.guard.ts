import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { ServerConfig } from '../config/configuration.js';
import { sameSecret } from '../common/same-secret.js';

/**
 * With METRICS_TOKEN set, /metrics wants `Authorization: Bearer <METRICS_TOKEN>` (RFC 6750 §2.1).
 * Without it, /metrics is open for development and absent (404) in production: metrics name
 * routes, counts and upstream failures that the public has no business reading.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(private readonly server: ServerConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.server.metricsToken;
    if (!expected) {
      if (this.server.production) throw new NotFoundException();
      return true;
    }
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header);
    if (match && sameSecret(expected, match[1])) return true;
    throw new UnauthorizedException();
  }
}

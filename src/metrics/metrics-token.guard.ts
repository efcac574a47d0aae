import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { ServerConfig } from '../config/configuration.js';
import { sameSecret } from '../common/same-secret.js';

/** With METRICS_TOKEN set, /metrics wants `Authorization: Bearer <METRICS_TOKEN>` (RFC 6750 §2.1). */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(private readonly server: ServerConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.server.metricsToken;
    if (!expected) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header);
    if (match && sameSecret(expected, match[1])) return true;
    throw new UnauthorizedException();
  }
}

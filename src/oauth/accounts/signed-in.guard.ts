import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { NotSignedInError } from '../oauth.errors.js';
import { AccountsService } from './accounts.service.js';

/**
 * One decision: is this session signed in to an account (its record there, with tokens and its
 * epoch)? For the account's own pages; a feature's routes need GoogleScopeGuard, which decides
 * this and the scopes.
 */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(private readonly accounts: AccountsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    if (!(await this.accounts.current(request.session)))
      throw new NotSignedInError('not signed in');
    return true;
  }
}

import { Injectable } from '@nestjs/common';

type Hook = (subject: string) => Promise<void>;

/**
 * What else must go when everything held for an account is deleted (disconnect, idle expiry,
 * the operator command, a security event): cached mail metadata, for one. Not run when one
 * session signs out: the account's other sessions share that data. Feature modules register
 * here, so the core needs to know none of them.
 */
@Injectable()
export class AccountDeletionHooks {
  private readonly hooks: Hook[] = [];

  register(hook: Hook): void {
    this.hooks.push(hook);
  }

  async run(subject: string): Promise<void> {
    await Promise.all(this.hooks.map((hook) => hook(subject)));
  }
}

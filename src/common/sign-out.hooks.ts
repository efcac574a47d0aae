import { Injectable } from '@nestjs/common';

type Hook = (subject: string) => Promise<void>;

/**
 * What else must go when everything held for an account is deleted (disconnect, idle expiry,
 * the operator command): cached mail metadata, for one. One session signing out keeps it.
 * Feature modules register here, so the OAuth module needs to know none of them.
 */
@Injectable()
export class SignOutHooks {
  private readonly hooks: Hook[] = [];

  register(hook: Hook): void {
    this.hooks.push(hook);
  }

  async run(subject: string): Promise<void> {
    await Promise.all(this.hooks.map((hook) => hook(subject)));
  }
}

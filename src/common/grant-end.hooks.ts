import { Injectable, Logger } from '@nestjs/common';

type Hook = (sub: string) => Promise<void>;

/**
 * Who must act with an account's grant while it still works, just before the service lets it
 * go (disconnect revokes it; idle expiry, the operator command and security events delete the
 * account): a feature that asked Google for something ongoing asks Google to stop it (Gmail's
 * watch: users.stop needs a live grant; a hook calls Google through AuthorizedCall, which
 * refreshes an expired token). A hook that fails is logged and stops nothing else.
 */
@Injectable()
export class GrantEndHooks {
  private readonly logger = new Logger(GrantEndHooks.name);
  private readonly hooks: Hook[] = [];

  register(hook: Hook): void {
    this.hooks.push(hook);
  }

  async run(sub: string): Promise<void> {
    await Promise.all(
      this.hooks.map(async (hook) => {
        try {
          await hook(sub);
        } catch (error) {
          this.logger.warn({ err: error, sub }, 'a grant-end hook failed');
        }
      }),
    );
  }
}

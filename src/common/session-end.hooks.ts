import { Injectable, Logger } from '@nestjs/common';

/** Sessions of an account that ended: one (by its handle), or every one of them. */
export interface SessionEnd {
  readonly sub: string;
  /** The session's handle when one session signed out; absent when all of them ended. */
  readonly handle?: string;
}

type Hook = (end: SessionEnd) => void | Promise<void>;

/**
 * Who must know at once when sessions end (sign-out, sign out everywhere, and everything that
 * deletes an account: disconnect, idle expiry, the operator command, a security event): open
 * live streams, for one, end with the session. The sessions are already gone from the store
 * when hooks run; a hook that fails is logged and does not undo the sign-out.
 */
@Injectable()
export class SessionEndHooks {
  private readonly logger = new Logger(SessionEndHooks.name);
  private readonly hooks: Hook[] = [];

  register(hook: Hook): void {
    this.hooks.push(hook);
  }

  async run(end: SessionEnd): Promise<void> {
    await Promise.all(
      this.hooks.map(async (hook) => {
        try {
          await hook(end);
        } catch (error) {
          this.logger.warn({ err: error }, 'a session-end hook failed');
        }
      }),
    );
  }
}
